import { LRUCache } from 'lru-cache';
import type { RateLimiter, RateLimitResult, RateLimitRule, RateLimitTier } from './rate-limiter';
import { toRateLimitResult } from './rate-limit-result';

/** Options of {@link MemoryRateLimiter}. */
export interface MemoryRateLimiterOptions {
  /**
   * Most keys tracked per tier (see {@link RateLimitTier}); beyond it the tier's least
   * recently used key is forgotten. A number applies to every tier. Default 100 000 each.
   */
  maxKeys?: number | Partial<Record<RateLimitTier, number>>;
  /** How often expired windows are swept out, in milliseconds. Default 60 000. */
  sweepIntervalMs?: number;
  /** The clock, in milliseconds; replaceable in tests. Default `Date.now`. */
  now?: () => number;
}

/** The raw state of one key, as {@link MemoryRateLimiter.entry} reports it. */
export interface MemoryRateLimitEntry {
  count: number;
  /** Milliseconds until the window ends (always > 0 for a live key). */
  ttlMs: number;
  tier: RateLimitTier;
}

interface Window {
  count: number;
  resetAt: number;
}

const TIERS: readonly RateLimitTier[] = ['bucket', 'counter', 'lock'];
const DEFAULT_MAX_KEYS = 100_000;

/**
 * An in-process {@link RateLimiter}: a fixed window per key, starting at the key's first
 * hit. Each tier of keys has its own bounded least-recently-used map (lru-cache; a hit or a
 * peek refreshes a key), so a flood of new per-client buckets can only push out other idle
 * buckets, never a failure counter or a lock (docs/decisions.md, "Rate limiter").
 * Expired windows are swept by a timer that does not keep the process alive. Counts are per
 * process: behind several instances use Redis.
 *
 * @example
 * const limiter = new MemoryRateLimiter();
 * const result = await limiter.consume(`login:${ip}`, { limit: 10, windowMs: 300_000 });
 */
export class MemoryRateLimiter implements RateLimiter {
  readonly backend = 'memory' as const;
  private readonly tiers: Map<RateLimitTier, LRUCache<string, Window>>;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: MemoryRateLimiterOptions = {}) {
    const max = options.maxKeys;
    const budget = (tier: RateLimitTier) => Math.max(1, (typeof max === 'number' ? max : max?.[tier]) ?? DEFAULT_MAX_KEYS);
    this.tiers = new Map(TIERS.map((tier) => [tier, new LRUCache<string, Window>({ max: budget(tier) })]));
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.sweeper.unref();
  }

  /** The number of keys tracked now, expired ones not yet swept included. */
  get size(): number {
    let total = 0;
    for (const windows of this.tiers.values()) total += windows.size;
    return total;
  }

  /** The number of keys of `tier` tracked now. */
  sizeOf(tier: RateLimitTier): number {
    return this.tiers.get(tier)?.size ?? 0;
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
      this.insert(key, rule.tier ?? 'bucket', window);
    }
    window.count += 1;
    return toRateLimitResult(rule, window.count, window.resetAt - now, true);
  }

  async peek(key: string, rule: RateLimitRule): Promise<RateLimitResult> {
    return this.peekNow(key, rule);
  }

  /** The synchronous form of {@link peek}. */
  peekNow(key: string, rule: RateLimitRule): RateLimitResult {
    const now = this.now();
    const window = this.live(key, now);
    return toRateLimitResult(rule, window?.count ?? 0, window ? window.resetAt - now : 0, false);
  }

  async reset(key: string): Promise<void> {
    for (const windows of this.tiers.values()) windows.delete(key);
  }

  async check(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const windows of this.tiers.values()) windows.clear();
  }

  /** Drops every expired window. */
  sweep(): void {
    const now = this.now();
    for (const windows of this.tiers.values()) {
      const expired: string[] = [];
      windows.forEach((window, key) => {
        if (window.resetAt <= now) expired.push(key);
      });
      for (const key of expired) windows.delete(key);
    }
  }

  /** The live state of `key`, without refreshing it; undefined when it holds nothing. */
  entry(key: string): MemoryRateLimitEntry | undefined {
    const now = this.now();
    for (const [tier, windows] of this.tiers) {
      const window = windows.peek(key);
      if (window && window.resetAt > now) return { count: window.count, ttlMs: window.resetAt - now, tier };
    }
    return undefined;
  }

  /**
   * Sets `key` to `count` hits with `ttlMs` left, as another store reported it (the Redis
   * limiter mirrors its lock state here); a count or ttl of 0 forgets the key.
   */
  store(key: string, entry: MemoryRateLimitEntry): void {
    void this.reset(key);
    if (entry.count <= 0 || entry.ttlMs <= 0) return;
    this.insert(key, entry.tier, { count: entry.count, resetAt: this.now() + entry.ttlMs });
  }

  private insert(key: string, given: RateLimitTier, window: Window): void {
    // A tier this class does not know (a JavaScript caller's typo) counts as a bucket; a
    // full tier forgets its least recently used key.
    const windows = this.tiers.get(given) ?? (this.tiers.get('bucket') as LRUCache<string, Window>);
    windows.set(key, window);
  }

  /** The live window of `key`, marked most recently used; an expired one is dropped. */
  private live(key: string, now: number): Window | undefined {
    for (const windows of this.tiers.values()) {
      const window = windows.get(key);
      if (!window) continue;
      if (window.resetAt > now) return window;
      windows.delete(key);
      return undefined;
    }
    return undefined;
  }
}
