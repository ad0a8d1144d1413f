import type { RateLimiter, RateLimitResult, RateLimitRule } from './rate-limiter';
import { toRateLimitResult } from './rate-limit-result';

/** Options of {@link MemoryRateLimiter}. */
export interface MemoryRateLimiterOptions {
  /** Most keys tracked; beyond it the oldest window is forgotten. Default 100 000. */
  maxKeys?: number;
  /** How often expired windows are swept out, in milliseconds. Default 60 000. */
  sweepIntervalMs?: number;
  /** The clock, in milliseconds; replaceable in tests. Default `Date.now`. */
  now?: () => number;
}

interface Window {
  count: number;
  resetAt: number;
}

/**
 * An in-process {@link RateLimiter}: a fixed window per key, starting at the key's first
 * hit. The map is bounded (`maxKeys`) and swept of expired windows by a timer that does not
 * keep the process alive. Counts are per process: behind several instances use Redis.
 *
 * @example
 * const limiter = new MemoryRateLimiter();
 * const result = await limiter.consume(`login:${ip}`, { limit: 10, windowMs: 300_000 });
 */
export class MemoryRateLimiter implements RateLimiter {
  readonly backend = 'memory' as const;
  private readonly windows = new Map<string, Window>();
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.maxKeys = Math.max(1, options.maxKeys ?? 100_000);
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.sweeper.unref();
  }

  /** The number of keys tracked now, expired ones not yet swept included. */
  get size(): number {
    return this.windows.size;
  }

  async consume(key: string, rule: RateLimitRule): Promise<RateLimitResult> {
    return this.consumeNow(key, rule);
  }

  /** The synchronous form of {@link consume}, for callers that cannot await. */
  consumeNow(key: string, rule: RateLimitRule): RateLimitResult {
    const now = this.now();
    let window = this.live(key, now);
    if (!window) {
      window = { count: 0, resetAt: now + rule.windowMs };
      // A new window goes to the end of the map, so the first key is the oldest one.
      // O(1) on purpose, even under a flood of new keys: forgetting the oldest window gives
      // that key a fresh one, the price of a bounded footprint.
      if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
      this.windows.set(key, window);
    }
    window.count += 1;
    return toRateLimitResult(rule, window.count, window.resetAt - now, true);
  }

  async peek(key: string, rule: RateLimitRule): Promise<RateLimitResult> {
    const now = this.now();
    const window = this.live(key, now);
    return toRateLimitResult(rule, window?.count ?? 0, window ? window.resetAt - now : 0, false);
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  async check(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.windows.clear();
  }

  /** Drops every expired window. */
  sweep(): void {
    const now = this.now();
    for (const [key, window] of this.windows) {
      if (window.resetAt <= now) this.windows.delete(key);
    }
  }

  private live(key: string, now: number): Window | undefined {
    const window = this.windows.get(key);
    if (window && window.resetAt <= now) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }
}
