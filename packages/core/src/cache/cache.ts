/**
 * How long a scope's version token lives without a bump, in seconds. A version that expires
 * (or is evicted) comes back as a fresh token, never an old one, so at worst its entries
 * become unreachable: they can never be served again.
 */
export const VERSION_TTL_SECONDS = 86_400;

/** What {@link Cache.getVersioned} answers: the value (or a miss) and the stamp to fill with. */
export interface VersionedRead<T> {
  /** The value stored under the current versions of the scopes, or `undefined`. */
  value: T | undefined;
  /** The versions read, for {@link Cache.setVersioned}; `undefined` on an outage (do not fill). */
  stamp: string | undefined;
}

/**
 * The cache port. Values are JSON-serialisable response objects (never password hashes).
 * Implementations never throw on an outage: a failed read is a miss, a failed write or
 * bump is dropped (and a bump replayed once the store is back), and {@link Cache.check}
 * reports the state for `/health`.
 *
 * Invalidation is by version, not by deletion (docs/decisions.md "Caching"). A read-through
 * entry belongs to one or more scopes (`user:7`, `dashboard`); each scope has a version
 * token, and the entry is stored under the versions read *before* the database read
 * ({@link Cache.getVersioned} → miss → read → {@link Cache.setVersioned}). A change bumps its
 * scopes after commit ({@link Cache.bump}): the next read looks under the new versions, so it
 * is a miss that reads the new data and fills at once, and the read after it is a hit. A
 * fill that read before the change lands under the old versions, which nobody reads again,
 * so a stale fill can never overwrite newer state. Tokens are never reused (a lost version
 * comes back as a fresh token), so no old entry can reappear.
 */
export interface Cache {
  /**
   * The configured store: `redis`, `memory`, or `none` when caching is disabled. A Redis
   * cache stays `redis` while Redis is down (it then serves misses; {@link Cache.check}
   * says false), because no other store holds its entries.
   */
  readonly backend: 'redis' | 'memory' | 'none';
  /**
   * The stored value, or `undefined` on a miss, an expired entry or an outage. It has the
   * JSON shape of what was set (Dates as strings) and is either a fresh copy (Redis) or
   * shared and frozen (memory): callers read it and never change it.
   */
  get<T>(key: string): Promise<T | undefined>;
  /**
   * Stores `value` for `ttlSeconds` unconditionally. A value with no JSON form or a
   * non-positive TTL stores nothing and removes the key.
   */
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  /**
   * Stores `value` for `ttlSeconds` only if the key holds nothing; true when it stored
   * (atomic across instances on Redis: a short lock). False on an outage, for a value with
   * no JSON form and for a non-positive TTL.
   */
  add(key: string, value: unknown, ttlSeconds: number): Promise<boolean>;
  /** Removes the given keys (missing ones are ignored). */
  delete(...keys: string[]): Promise<void>;
  /**
   * Reads `key` as of the current versions of `scopes` (creating a version for a scope that
   * has none), in one round trip on Redis.
   */
  getVersioned<T>(key: string, scopes: readonly string[]): Promise<VersionedRead<T>>;
  /**
   * Stores `value` under `key` as of `stamp` (from {@link Cache.getVersioned}) for
   * `ttlSeconds`. If a scope was bumped since the stamp was read, the entry is unreachable.
   */
  setVersioned(key: string, stamp: string, value: unknown, ttlSeconds: number): Promise<void>;
  /**
   * Moves each scope to a fresh version: every entry stored under the previous one is never
   * read again, on every instance sharing the store. Call it after the change has committed.
   */
  bump(...scopes: string[]): Promise<void>;
  /** True when the backing store answers now. */
  check(): Promise<boolean>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

export const CACHE = Symbol.for('app.Cache');

/** The storage key of a versioned entry: the key under the versions it was read with. */
export function versionedKey(key: string, stamp: string): string {
  return `${key}@${stamp}`;
}

/** The cache keys and scopes shared by the services (which bump) and the routes (which fill). */
export const cacheKeys = {
  user: (userId: number) => `users:${userId}`,
  /** The authenticated lookup of one session (its row and its user's). */
  session: (sessionId: number) => `auth:session:${sessionId}`,
  dashboardStats: () => 'dashboard:stats',
  /** The scope of everything that describes one user: its responses and its sessions' lookups. */
  userScope: (userId: number) => `user:${userId}`,
  /** The scope of the dashboard figures: every change to the set of users bumps it. */
  dashboardScope: () => 'dashboard',
} as const;
