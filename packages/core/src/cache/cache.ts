/**
 * The cache port. Values are JSON-serialisable response objects (never password hashes).
 * Implementations never throw on an outage: a failed read is a miss, a failed write or
 * delete is dropped, and {@link Cache.check} reports the state for `/health`.
 */
export interface Cache {
  /**
   * The configured store: `redis`, `memory`, or `none` when caching is disabled. A Redis
   * cache stays `redis` while Redis is down (it then serves misses; {@link Cache.check}
   * says false), because no other store holds its entries.
   */
  readonly backend: 'redis' | 'memory' | 'none';
  /** The stored value, or `undefined` on a miss, an expired entry or an outage. */
  get<T>(key: string): Promise<T | undefined>;
  /** Stores `value` for `ttlSeconds`. */
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  /** Removes the given keys; missing keys are ignored. */
  delete(...keys: string[]): Promise<void>;
  /** True when the backing store answers now. */
  check(): Promise<boolean>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

export const CACHE = Symbol.for('app.Cache');

/** The cache keys shared by the services (which invalidate) and the routes (which fill). */
export const cacheKeys = {
  me: (userId: number) => `auth:me:${userId}`,
  user: (userId: number) => `users:${userId}`,
  dashboardStats: () => 'dashboard:stats',
  /** Every key that describes one user, for invalidation after a change to that user. */
  ofUser: (userId: number) => [`auth:me:${userId}`, `users:${userId}`],
} as const;
