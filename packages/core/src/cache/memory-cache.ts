import { LRUCache } from 'lru-cache';
import { versionedKey, type Cache, type VersionedRead } from './cache';

/** Options of {@link MemoryCache}. */
export interface MemoryCacheOptions {
  /** Most values kept; the least recently used is evicted beyond it. Default 10 000. */
  maxEntries?: number;
  /** The clock, in milliseconds; replaceable in tests. Default `performance.now`. */
  now?: () => number;
}

/**
 * An in-process {@link Cache} on `lru-cache` (docs/decisions.md "Caching"): bounded (LRU
 * eviction at `maxEntries`) and expiring (TTL checked on every read; expired entries are
 * dropped when read or evicted, with no timer). Values are stored as JSON strings, so what a
 * caller gets back is always a fresh copy.
 *
 * Scope versions live in their own LRU of `maxEntries`, so evicting values never drops a
 * version. An evicted version comes back as a new token (a counter that only grows), so the
 * entries stored under the old one are simply never read again.
 *
 * @example
 * const cache = new MemoryCache({ maxEntries: 1000 });
 * await cache.set('users:1', user, 300);
 * const hit = await cache.get<UserJson>('users:1');
 */
export class MemoryCache implements Cache {
  readonly backend = 'memory' as const;
  private readonly entries: LRUCache<string, string>;
  private readonly versions: LRUCache<string, string>;
  private nextVersion = 0;

  constructor(options: MemoryCacheOptions = {}) {
    const max = Math.max(1, options.maxEntries ?? 10_000);
    const perf = options.now ? { now: options.now } : undefined;
    this.entries = new LRUCache<string, string>({ max, ttl: 0, ttlResolution: 0, perf });
    this.versions = new LRUCache<string, string>({ max });
  }

  /** The number of values held now, expired ones not yet dropped included (versions not). */
  get size(): number {
    return this.entries.size;
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.read<T>(key);
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    const json = JSON.stringify(value);
    // `undefined` (or a function) has no JSON form, and a non-positive TTL is already over.
    if (json === undefined || !(ttlSeconds > 0)) {
      this.entries.delete(key);
      return;
    }
    this.entries.set(key, json, { ttl: ttlSeconds * 1000 });
  }

  async add(key: string, value: unknown, ttlSeconds: number): Promise<boolean> {
    const json = JSON.stringify(value);
    if (json === undefined || !(ttlSeconds > 0)) return false;
    // Check and store with no await in between: nothing else runs on this thread meanwhile.
    if (this.entries.has(key)) return false;
    this.entries.set(key, json, { ttl: ttlSeconds * 1000 });
    return true;
  }

  async delete(...keys: string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }

  async getVersioned<T>(key: string, scopes: readonly string[]): Promise<VersionedRead<T>> {
    const stamp = scopes.map((scope) => this.versionOf(scope)).join('.');
    return { value: this.read<T>(versionedKey(key, stamp)), stamp };
  }

  async setVersioned(key: string, stamp: string, value: unknown, ttlSeconds: number): Promise<void> {
    await this.set(versionedKey(key, stamp), value, ttlSeconds);
  }

  async bump(...scopes: string[]): Promise<void> {
    for (const scope of scopes) this.versions.set(scope, this.freshVersion());
  }

  async check(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.entries.clear();
    this.versions.clear();
  }

  private read<T>(key: string): T | undefined {
    const json = this.entries.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  private versionOf(scope: string): string {
    let version = this.versions.get(scope);
    if (version === undefined) {
      version = this.freshVersion();
      this.versions.set(scope, version);
    }
    return version;
  }

  private freshVersion(): string {
    this.nextVersion += 1;
    return this.nextVersion.toString(36);
  }
}
