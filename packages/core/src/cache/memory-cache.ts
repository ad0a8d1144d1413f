import { TOMBSTONE_SECONDS, type Cache } from './cache';

/** Options of {@link MemoryCache}. */
export interface MemoryCacheOptions {
  /** Most values kept; the least recently used is evicted beyond it. Default 10 000. */
  maxEntries?: number;
  /** How long a deleted key blocks `add`, in seconds. Default {@link TOMBSTONE_SECONDS}. */
  tombstoneSeconds?: number;
  /** How often expired entries are swept out, in milliseconds. Default 30 000. */
  sweepIntervalMs?: number;
  /** The clock, in milliseconds; replaceable in tests. Default `Date.now`. */
  now?: () => number;
}

interface Entry {
  /** The value as JSON, so a caller can never mutate what is cached. */
  json: string;
  expiresAt: number;
}

/**
 * An in-process {@link Cache}: bounded (LRU eviction at `maxEntries`) and expiring (TTL
 * checked on every read, plus a periodic sweep that does not keep the process alive).
 * Values are stored as JSON strings, so what a caller gets back is always a fresh copy.
 *
 * Tombstones live in their own map, so evicting values never drops one. That map is bounded
 * by `maxEntries` too, oldest first: more than `maxEntries` invalidations within one
 * tombstone lifetime can let a fill that lost its race store a stale value (residual risk).
 *
 * @example
 * const cache = new MemoryCache({ maxEntries: 1000 });
 * await cache.add('users:1', user, 300);
 * const hit = await cache.get<UserJson>('users:1');
 */
export class MemoryCache implements Cache {
  readonly backend = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  /** Key → expiry (ms) of its tombstone. Insertion order is expiry order (one lifetime). */
  private readonly tombstones = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly tombstoneMs: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: MemoryCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 10_000);
    this.tombstoneMs = (options.tombstoneSeconds ?? TOMBSTONE_SECONDS) * 1000;
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 30_000);
    this.sweeper.unref();
  }

  /** The number of values held now, expired ones not yet swept included (tombstones not). */
  get size(): number {
    return this.entries.size;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Map keeps insertion order: re-inserting marks the entry most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return JSON.parse(entry.json) as T;
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    const json = JSON.stringify(value);
    // `undefined` (or a function) has no JSON form, and a non-positive TTL is already over.
    if (json === undefined || !(ttlSeconds > 0)) {
      this.invalidate(key);
      return;
    }
    this.tombstones.delete(key);
    this.store(key, json, ttlSeconds);
  }

  async add(key: string, value: unknown, ttlSeconds: number): Promise<boolean> {
    const json = JSON.stringify(value);
    if (json === undefined || !(ttlSeconds > 0)) return false;
    // Check and store with no await in between: nothing else runs on this thread meanwhile.
    const now = this.now();
    const tombstone = this.tombstones.get(key);
    if (tombstone !== undefined) {
      if (tombstone > now) return false;
      this.tombstones.delete(key);
    }
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > now) return false;
    this.store(key, json, ttlSeconds);
    return true;
  }

  async delete(...keys: string[]): Promise<void> {
    for (const key of keys) this.invalidate(key);
  }

  async check(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
    this.tombstones.clear();
  }

  /** Drops every expired value and tombstone. */
  sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
    for (const [key, expiresAt] of this.tombstones) {
      if (expiresAt <= now) this.tombstones.delete(key);
    }
  }

  private store(key: string, json: string, ttlSeconds: number): void {
    this.entries.delete(key);
    this.entries.set(key, { json, expiresAt: this.now() + ttlSeconds * 1000 });
    // O(1) eviction of the least recently used; expired entries go with the next sweep.
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  private invalidate(key: string): void {
    this.entries.delete(key);
    if (!(this.tombstoneMs > 0)) return;
    // Re-inserting keeps the map in expiry order, so the first key is always the oldest.
    this.tombstones.delete(key);
    this.tombstones.set(key, this.now() + this.tombstoneMs);
    if (this.tombstones.size > this.maxEntries) {
      const oldest = this.tombstones.keys().next().value as string;
      this.tombstones.delete(oldest);
    }
  }
}
