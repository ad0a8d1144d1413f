/**
 * How long an invalidation keeps a key from being refilled, in seconds: at least the default
 * request timeout (`requestTimeoutMs`, 30 s), so that any request whose read began before the
 * invalidation has finished or timed out before the tombstone goes.
 */
export const TOMBSTONE_SECONDS = 30;

/**
 * The cache port. Values are JSON-serialisable response objects (never password hashes).
 * Implementations never throw on an outage: a failed read is a miss, a failed write or
 * delete is dropped, and {@link Cache.check} reports the state for `/health`.
 *
 * Invalidation leaves a tombstone and fills never overwrite. A read-through fill
 * (`get` → miss → read the database → store) races with a write that commits and
 * invalidates between the database read and the store: a plain `set` would put the old body
 * back for the whole TTL. So {@link Cache.delete} writes a short-lived tombstone (for
 * {@link TOMBSTONE_SECONDS}, or the store's `tombstoneSeconds` option), {@link Cache.get}
 * reads it as a miss, and fills use {@link Cache.add}, which stores only into an empty key:
 * a fill that lost the race finds the tombstone and stores nothing. The price is that a key
 * invalidated is not cached again until its tombstone expires. The guarantee holds only for
 * a fill issued within the tombstone's lifetime of its read, so a caller must not fill after
 * its request has timed out.
 */
export interface Cache {
  /**
   * The configured store: `redis`, `memory`, or `none` when caching is disabled. A Redis
   * cache stays `redis` while Redis is down (it then serves misses; {@link Cache.check}
   * says false), because no other store holds its entries.
   */
  readonly backend: 'redis' | 'memory' | 'none';
  /** The stored value, or `undefined` on a miss, a tombstone, an expired entry or an outage. */
  get<T>(key: string): Promise<T | undefined>;
  /**
   * Stores `value` for `ttlSeconds` unconditionally, over a value or a tombstone: for
   * explicit writes of a value known to be current, never for a read-through fill (use
   * {@link Cache.add}). A value with no JSON form or a non-positive TTL stores nothing and
   * invalidates the key as {@link Cache.delete} does.
   */
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  /**
   * Stores `value` for `ttlSeconds` only if the key holds nothing (no value and no
   * tombstone); true when it stored. The write for read-through fills. False on an outage,
   * for a value with no JSON form and for a non-positive TTL.
   */
  add(key: string, value: unknown, ttlSeconds: number): Promise<boolean>;
  /**
   * Invalidates the given keys: each value is replaced by a tombstone that reads as a miss
   * and blocks {@link Cache.add} until it expires. Missing keys get a tombstone too.
   */
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
