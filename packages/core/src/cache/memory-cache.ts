import type { Cache } from './cache';

/** Options of {@link MemoryCache}. */
export interface MemoryCacheOptions {
  /** Most entries kept; the least recently used is evicted beyond it. Default 10 000. */
  maxEntries?: number;
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
 * @example
 * const cache = new MemoryCache({ maxEntries: 1000 });
 * await cache.set('users:1', user, 300);
 * const hit = await cache.get<UserJson>('users:1');
 */
export class MemoryCache implements Cache {
  readonly backend = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: MemoryCacheOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 10_000);
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 30_000);
    this.sweeper.unref();
  }

  /** The number of entries held now, expired ones not yet swept included. */
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
    this.entries.delete(key);
    // `undefined` (or a function) has no JSON form, and a non-positive TTL is already over.
    if (json === undefined || !(ttlSeconds > 0)) return;
    this.entries.set(key, { json, expiresAt: this.now() + ttlSeconds * 1000 });
    // O(1) eviction of the least recently used; expired entries go with the next sweep.
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  async delete(...keys: string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }

  async check(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
  }

  /** Drops every expired entry. */
  sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
  }
}
