import { LRUCache } from 'lru-cache';
import { versionedKey, type Cache, type VersionedRead } from './cache';

/** Options of {@link MemoryCache}. */
export interface MemoryCacheOptions {
  /** Most values kept; the least recently used is evicted beyond it. Default 10 000. */
  maxEntries?: number;
  /** The clock, in milliseconds; replaceable in tests. Default `performance.now`. */
  now?: () => number;
}

/** What an entry holds: a frozen JSON value, or {@link NULL}. */
type Stored = object | string | number | boolean | symbol;

/**
 * An in-process {@link Cache} on `lru-cache` (docs/decisions.md "Caching"): bounded (LRU
 * eviction at `maxEntries`) and expiring (TTL checked on every read; expired entries are
 * dropped when read or evicted, with no timer). A value is stored as its JSON round trip,
 * deeply frozen: what a caller gets back has exactly the JSON shape Redis would give (Dates
 * as strings), is never touched by a later change to the object given to `set`, and is
 * shared by every read until it is replaced, so a hit parses and copies nothing (the
 * authenticated hot path reads one on every request). Changing it throws.
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
  private readonly entries: LRUCache<string, Stored>;
  private readonly versions: LRUCache<string, string>;
  private nextVersion = 0;

  constructor(options: MemoryCacheOptions = {}) {
    const max = Math.max(1, options.maxEntries ?? 10_000);
    const perf = options.now ? { now: options.now } : undefined;
    this.entries = new LRUCache<string, Stored>({ max, ttl: 0, ttlResolution: 0, perf });
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
    const stored = snapshot(value);
    // `undefined` (or a function) has no JSON form, and a non-positive TTL is already over.
    if (stored === undefined || !(ttlSeconds > 0)) {
      this.entries.delete(key);
      return;
    }
    this.entries.set(key, stored, { ttl: ttlSeconds * 1000 });
  }

  async add(key: string, value: unknown, ttlSeconds: number): Promise<boolean> {
    const stored = snapshot(value);
    if (stored === undefined || !(ttlSeconds > 0)) return false;
    // Check and store with no await in between: nothing else runs on this thread meanwhile.
    if (this.entries.has(key)) return false;
    this.entries.set(key, stored, { ttl: ttlSeconds * 1000 });
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
    const value = this.entries.get(key);
    return value === NULL ? (null as T) : (value as T | undefined);
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

// lru-cache keeps no null values: a stored JSON `null` is this.
const NULL = Symbol('null');

/** The value's JSON round trip, deeply frozen; `undefined` when it has no JSON form. */
function snapshot(value: unknown): Stored | undefined {
  const json = JSON.stringify(value);
  if (json === undefined) return undefined;
  const copy: unknown = JSON.parse(json);
  if (copy === null) return NULL;
  return typeof copy === 'object' ? deepFreeze(copy) : (copy as string | number | boolean);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) deepFreeze(child);
  return Object.freeze(value);
}
