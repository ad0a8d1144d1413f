import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger/logger';
import { VERSION_TTL_SECONDS, versionedKey, type Cache, type VersionedRead } from './cache';
import { RedisConnection } from './redis-connection';

/** Options of {@link RedisCache}. Give `url` or `client`. */
export interface RedisCacheOptions {
  /** `redis://…`: the cache creates its own fast-failing client and quits it on close. */
  url?: string;
  /** An existing ioredis client; the cache never quits it. Prefer fast-fail settings on it. */
  client?: Redis;
  /** Prefix of every key, e.g. `app:`; entries live under `<keyPrefix>cache:<key>`. Default `app:`. */
  keyPrefix?: string;
  /** Receives one line when Redis goes away and one when it is back. */
  logger?: Logger;
  /** Most bumps remembered during an outage before a full purge is planned. Default 10 000. */
  maxPendingBumps?: number;
}

/**
 * One round trip for {@link Cache.getVersioned}: the version of each scope (a missing one set
 * to the fresh token the caller sent), then the value stored under those versions.
 * KEYS: the version keys; ARGV: the value key, the version TTL (ms), one fresh token per key.
 */
const GET_VERSIONED = `
local parts = {}
for i, key in ipairs(KEYS) do
  local version = redis.call('GET', key)
  if not version then
    version = ARGV[2 + i]
    redis.call('SET', key, version, 'PX', ARGV[2])
  end
  parts[i] = version
end
local stamp = table.concat(parts, '.')
return { stamp, redis.call('GET', ARGV[1] .. '@' .. stamp) }
`;

type VersionedClient = Redis & {
  appCacheGetVersioned(keys: number, ...args: string[]): Promise<[string, string | null | undefined]>;
};

/**
 * A {@link Cache} in Redis: JSON values under a key prefix, `SET key value PX ttl`; scope
 * versions under `<prefix>cache:v:<scope>` (random tokens, never reused); `getVersioned` is
 * one Lua script (the value key is derived inside it, so this store needs a single Redis
 * node or a cluster-free setup, like the rest of the cache); `bump` writes fresh tokens in
 * one transaction; `add` is `SET … NX`, atomic across instances.
 *
 * While Redis is unreachable every read is a miss and every write is dropped, within a few
 * hundred milliseconds and without an error; `check()` is false. Bumps made during an
 * outage are remembered and replayed when Redis is back, so an entry whose scope changed
 * while the cache was down is never served afterwards. Past `maxPendingBumps`, every key
 * under the prefix is purged instead; as versions come back as fresh tokens, no old entry
 * can be read after that either.
 *
 * @example
 * const cache = new RedisCache({ url: 'redis://localhost:6379/0', keyPrefix: 'app:', logger });
 */
export class RedisCache implements Cache {
  readonly backend = 'redis' as const;
  private readonly connection: RedisConnection;
  private readonly prefix: string;
  private readonly pendingBumps = new Set<string>();
  private readonly maxPendingBumps: number;
  private purgeOnRecovery = false;

  constructor(options: RedisCacheOptions) {
    this.prefix = `${options.keyPrefix ?? 'app:'}cache:`;
    this.maxPendingBumps = options.maxPendingBumps ?? 10_000;
    this.connection = new RedisConnection({
      url: options.url,
      client: options.client,
      name: 'Redis cache',
      whileDown: 'every read is a miss',
      logger: options.logger,
      onRecovered: () => void this.replayBumps(),
    });
    const client = this.connection.client as unknown as Partial<VersionedClient>;
    if (typeof client.appCacheGetVersioned !== 'function') {
      this.connection.client.defineCommand('appCacheGetVersioned', { lua: GET_VERSIONED });
    }
  }

  /** Resolves once Redis is connected; rejects after `timeoutMs` (default 2000). */
  whenReady(timeoutMs?: number): Promise<void> {
    return this.connection.whenReady(timeoutMs);
  }

  async get<T>(key: string): Promise<T | undefined> {
    try {
      const json = await this.connection.run((client) => client.get(this.prefix + key));
      return json === null ? undefined : (JSON.parse(json) as T);
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    const json = JSON.stringify(value);
    const ttlMs = Math.ceil(ttlSeconds * 1000);
    try {
      if (json === undefined || !(ttlMs > 0)) {
        await this.connection.run((client) => client.del(this.prefix + key));
        return;
      }
      await this.connection.run((client) => client.set(this.prefix + key, json, 'PX', ttlMs));
    } catch {
      // A write during an outage is dropped: the next read is a miss and refills.
    }
  }

  async add(key: string, value: unknown, ttlSeconds: number): Promise<boolean> {
    const json = JSON.stringify(value);
    const ttlMs = Math.ceil(ttlSeconds * 1000);
    if (json === undefined || !(ttlMs > 0)) return false;
    try {
      const reply = await this.connection.run((client) => client.set(this.prefix + key, json, 'PX', ttlMs, 'NX'));
      return reply === 'OK';
    } catch {
      return false;
    }
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await this.connection.run((client) => client.del(...keys.map((key) => this.prefix + key)));
    } catch {
      // Plain deletes are for the caller's own keys (locks); they expire by themselves.
    }
  }

  async getVersioned<T>(key: string, scopes: readonly string[]): Promise<VersionedRead<T>> {
    try {
      const fresh = scopes.map(() => randomUUID());
      const [stamp, json] = await this.connection.run((client) =>
        (client as unknown as VersionedClient).appCacheGetVersioned(
          scopes.length,
          ...scopes.map((scope) => this.versionKey(scope)),
          this.prefix + key,
          String(VERSION_TTL_SECONDS * 1000),
          ...fresh,
        ),
      );
      return { value: typeof json === 'string' ? (JSON.parse(json) as T) : undefined, stamp };
    } catch {
      return { value: undefined, stamp: undefined };
    }
  }

  async setVersioned(key: string, stamp: string, value: unknown, ttlSeconds: number): Promise<void> {
    await this.set(versionedKey(key, stamp), value, ttlSeconds);
  }

  async bump(...scopes: string[]): Promise<void> {
    if (scopes.length === 0) return;
    try {
      await this.writeVersions(scopes);
    } catch {
      this.rememberBumps(scopes);
    }
  }

  async check(): Promise<boolean> {
    return this.connection.ping();
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  private versionKey(scope: string): string {
    return `${this.prefix}v:${scope}`;
  }

  /** Moves each scope to a fresh random version, in one transaction. */
  private async writeVersions(scopes: string[]): Promise<void> {
    const ttlMs = VERSION_TTL_SECONDS * 1000;
    const replies = await this.connection.run((client) => {
      const transaction = client.multi();
      for (const scope of scopes) transaction.set(this.versionKey(scope), randomUUID(), 'PX', ttlMs);
      return transaction.exec();
    });
    const failed = replies?.find(([error]) => error) ?? (replies ? undefined : [new Error('transaction aborted')]);
    if (failed) throw failed[0];
  }

  private rememberBumps(scopes: string[]): void {
    if (this.purgeOnRecovery) return;
    for (const scope of scopes) this.pendingBumps.add(scope);
    if (this.pendingBumps.size > this.maxPendingBumps) {
      this.pendingBumps.clear();
      this.purgeOnRecovery = true;
    }
  }

  private async replayBumps(): Promise<void> {
    const scopes = [...this.pendingBumps];
    const purge = this.purgeOnRecovery;
    this.pendingBumps.clear();
    this.purgeOnRecovery = false;
    try {
      if (purge) await this.purgePrefix();
      for (let i = 0; i < scopes.length; i += 500) {
        await this.writeVersions(scopes.slice(i, i + 500));
      }
    } catch {
      // Down again before the replay finished: keep what is left for the next recovery.
      if (purge) this.purgeOnRecovery = true;
      this.rememberBumps(scopes);
    }
  }

  private async purgePrefix(): Promise<void> {
    let cursor = '0';
    do {
      const [next, found] = await this.connection.run((client) =>
        client.scan(cursor, 'MATCH', `${escapeGlob(this.prefix)}*`, 'COUNT', 500),
      );
      if (found.length > 0) await this.connection.run((client) => client.unlink(...found));
      cursor = next;
    } while (cursor !== '0');
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
