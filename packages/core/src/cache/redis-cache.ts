import type { Redis } from 'ioredis';
import type { Logger } from '../logger/logger';
import { TOMBSTONE_SECONDS, type Cache } from './cache';
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
  /** Most deletes remembered during an outage before a full purge is planned. Default 10 000. */
  maxPendingDeletes?: number;
  /** How long a deleted key blocks `add`, in seconds. Default {@link TOMBSTONE_SECONDS}. */
  tombstoneSeconds?: number;
}

/**
 * What a tombstone holds in Redis. Values are stored as JSON, and no JSON text starts with
 * `!`, so no value can be mistaken for a tombstone.
 */
const TOMBSTONE = '!tombstone';

/**
 * A {@link Cache} in Redis: JSON values under a key prefix, `SET key value PX ttl`; a delete
 * writes a tombstone (`SET key !tombstone PX …`) and `add` is `SET … NX`, atomic in Redis.
 *
 * While Redis is unreachable every read is a miss and every write is dropped, within a few
 * hundred milliseconds and without an error; `check()` is false. Deletes made during an
 * outage are remembered and replayed as tombstones when Redis is back (over any value a
 * fill stored meanwhile), so an entry invalidated while the cache was down cannot be served
 * stale afterwards. Past `maxPendingDeletes`, every key under the prefix is purged instead:
 * then no tombstone is left, so a fill whose read predates the outage's writes and which
 * lands after the purge can store a stale value (residual risk, after long outages only).
 *
 * @example
 * const cache = new RedisCache({ url: 'redis://localhost:6379/0', keyPrefix: 'app:', logger });
 */
export class RedisCache implements Cache {
  readonly backend = 'redis' as const;
  private readonly connection: RedisConnection;
  private readonly prefix: string;
  private readonly pendingDeletes = new Set<string>();
  private readonly maxPendingDeletes: number;
  private purgeOnRecovery = false;
  private readonly tombstoneMs: number;

  constructor(options: RedisCacheOptions) {
    this.prefix = `${options.keyPrefix ?? 'app:'}cache:`;
    this.maxPendingDeletes = options.maxPendingDeletes ?? 10_000;
    this.tombstoneMs = Math.ceil((options.tombstoneSeconds ?? TOMBSTONE_SECONDS) * 1000);
    this.connection = new RedisConnection({
      url: options.url,
      client: options.client,
      name: 'Redis cache',
      whileDown: 'every read is a miss',
      logger: options.logger,
      onRecovered: () => void this.replayDeletes(),
    });
  }

  /** Resolves once Redis is connected; rejects after `timeoutMs` (default 2000). */
  whenReady(timeoutMs?: number): Promise<void> {
    return this.connection.whenReady(timeoutMs);
  }

  async get<T>(key: string): Promise<T | undefined> {
    try {
      const json = await this.connection.run((client) => client.get(this.prefix + key));
      return json === null || json === TOMBSTONE ? undefined : (JSON.parse(json) as T);
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    const json = JSON.stringify(value);
    const ttlMs = Math.ceil(ttlSeconds * 1000);
    try {
      if (json === undefined || !(ttlMs > 0)) {
        await this.delete(key);
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
      // A fill during an outage is dropped: the next read is a miss and refills.
      return false;
    }
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await this.writeTombstones(keys);
    } catch {
      this.rememberDeletes(keys);
    }
  }

  async check(): Promise<boolean> {
    return this.connection.ping();
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /** Replaces each key's value (or nothing) by a tombstone, in one transaction. */
  private async writeTombstones(keys: string[]): Promise<void> {
    if (!(this.tombstoneMs > 0)) {
      await this.connection.run((client) => client.del(...keys.map((key) => this.prefix + key)));
      return;
    }
    const replies = await this.connection.run((client) => {
      const transaction = client.multi();
      for (const key of keys) transaction.set(this.prefix + key, TOMBSTONE, 'PX', this.tombstoneMs);
      return transaction.exec();
    });
    const failed = replies?.find(([error]) => error) ?? (replies ? undefined : [new Error('transaction aborted')]);
    if (failed) throw failed[0];
  }

  private rememberDeletes(keys: string[]): void {
    if (this.purgeOnRecovery) return;
    for (const key of keys) this.pendingDeletes.add(key);
    if (this.pendingDeletes.size > this.maxPendingDeletes) {
      this.pendingDeletes.clear();
      this.purgeOnRecovery = true;
    }
  }

  private async replayDeletes(): Promise<void> {
    const keys = [...this.pendingDeletes];
    const purge = this.purgeOnRecovery;
    this.pendingDeletes.clear();
    this.purgeOnRecovery = false;
    try {
      if (purge) await this.purgePrefix();
      for (let i = 0; i < keys.length; i += 500) {
        await this.writeTombstones(keys.slice(i, i + 500));
      }
    } catch {
      // Down again before the replay finished: keep what is left for the next recovery.
      if (purge) this.purgeOnRecovery = true;
      this.rememberDeletes(keys);
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
