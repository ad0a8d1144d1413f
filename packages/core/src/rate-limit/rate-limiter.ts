/**
 * What a key holds, for a store that must forget keys when it is full (see
 * docs/reference/configuration.md and docs/decisions.md):
 *
 * - `bucket`  a per-client request bucket (the default), cheap to lose;
 * - `counter` a failure counter (login failures), which an attacker would like to reset;
 * - `lock`    a lock, a hold, or what protects an owner (a known client): never to be lost
 *             to other traffic.
 *
 * A bounded store gives each tier its own budget, so a flood of keys of one tier never
 * evicts a key of another. A store that never evicts (Redis) may ignore it.
 */
export type RateLimitTier = 'bucket' | 'counter' | 'lock';

/**
 * The rate-limiter port: fixed-window counters keyed by string. The window of a key starts
 * at its first hit and lasts `windowMs`; within it at most `limit` hits are allowed.
 */
export interface RateLimitRule {
  /** Hits allowed per window. */
  limit: number;
  /** Window length in milliseconds; only the key's first hit sets it. */
  windowMs: number;
  /** What the key holds; default `bucket`. */
  tier?: RateLimitTier;
}

/** The state of a key after (or, for `peek`, without) a hit. */
export interface RateLimitResult {
  /** Whether this hit is allowed (for `peek`: whether the next hit would be). */
  allowed: boolean;
  limit: number;
  /** Hits left in the current window (never negative). */
  remaining: number;
  /** Seconds until the window resets (0 when the key holds nothing), rounded up. */
  resetSeconds: number;
  /** Seconds to wait before retrying when not allowed, else 0; rounded up, at least 1. */
  retryAfterSeconds: number;
  /** Hits counted in the current window. */
  count: number;
}

export interface RateLimiter {
  /**
   * Which store serves now: `redis`, `memory` (also while a Redis limiter falls back), or
   * `none` when limiting is disabled.
   */
  readonly backend: 'redis' | 'memory' | 'none';
  /** Atomically counts one hit on `key` under `rule` and says whether it is allowed. */
  consume(key: string, rule: RateLimitRule): Promise<RateLimitResult>;
  /** Reports the state of `key` under `rule` without counting a hit. */
  peek(key: string, rule: RateLimitRule): Promise<RateLimitResult>;
  /** Forgets `key` (for example after a successful login). */
  reset(key: string): Promise<void>;
  /** True when the backing store answers now (false while a Redis limiter falls back). */
  check(): Promise<boolean>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

export const RATE_LIMITER = Symbol.for('app.RateLimiter');
