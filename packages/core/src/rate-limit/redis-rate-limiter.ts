import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger/logger';
import { RedisConnection } from '../cache/redis-connection';
import { MemoryRateLimiter } from './memory-rate-limiter';
import type { RateLimiter, RateLimitResult, RateLimitRule, RateLimitTier } from './rate-limiter';
import { toRateLimitResult } from './rate-limit-result';

/** Options of {@link RedisRateLimiter}. Give `url` or `client`. */
export interface RedisRateLimiterOptions {
  /** `redis://…`: the limiter creates its own fast-failing client and quits it on close. */
  url?: string;
  /** An existing ioredis client; the limiter never quits it. Prefer fast-fail settings on it. */
  client?: Redis;
  /** Prefix of every key, e.g. `app:`; counters live under `<keyPrefix>rl:<key>`. Default `app:`. */
  keyPrefix?: string;
  /** Receives one line when Redis goes away and one when it is back. */
  logger?: Logger;
  /** Most keys the in-memory fallback tracks per tier. Default 100 000 each. */
  fallbackMaxKeys?: number | Partial<Record<RateLimitTier, number>>;
}

interface LuaScript {
  lua: string;
  sha: string;
}

function script(lua: string): LuaScript {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

// One round trip, atomic on the server: concurrent hits from any number of processes are
// counted exactly. The expiry is set when the key has none (its first hit), so the window
// starts at the first hit and is never extended by later ones.
const CONSUME = script(`
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`);

const PEEK = script(`
local count = redis.call('GET', KEYS[1])
if not count then return {0, 0} end
return {tonumber(count), redis.call('PTTL', KEYS[1])}
`);

// Brings a count made in memory during an outage back into Redis: the larger count and the
// later expiry win, so a lock taken on either side lasts at least as long as that side said.
const MERGE = script(`
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
local want = tonumber(ARGV[1])
local wantTtl = tonumber(ARGV[2])
if want > count then count = want end
if wantTtl > ttl then ttl = wantTtl end
redis.call('SET', KEYS[1], count, 'PX', ttl)
return {count, ttl}
`);

/** Outage-made keys waiting to be merged into Redis; bounded, since an outage can be long. */
const MAX_PENDING = 200_000;

/**
 * A {@link RateLimiter} in Redis, shared by every process that uses the same Redis and key
 * prefix. When Redis fails it keeps limiting with an in-process {@link MemoryRateLimiter}
 * (counts made during the outage are per process); `backend` then says `memory` and
 * `check()` is false, and it returns to Redis by itself once the connection is ready.
 *
 * Keys of the `counter` and `lock` tiers survive an outage in both directions (see
 * docs/decisions.md, "Rate limiter"): every answer Redis gives about them is written
 * through to the memory store, so a lock this process has seen in Redis still holds while
 * Redis is down; and what is counted in memory during the outage is merged back into Redis
 * (larger count, later expiry) when it returns, before that key is used again. Buckets
 * (the default tier) start afresh on either side, as before.
 *
 * @example
 * const limiter = new RedisRateLimiter({ url: 'redis://localhost:6379/0', keyPrefix: 'app:', logger });
 * const { allowed, retryAfterSeconds } = await limiter.consume('register:1.2.3.4', { limit: 5, windowMs: 3_600_000 });
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly connection: RedisConnection;
  private readonly fallback: MemoryRateLimiter;
  private readonly prefix: string;
  private readonly pendingResets = new Set<string>();
  /** Keys counted in memory during an outage, to merge into Redis once it is back. */
  private readonly pendingMerges = new Set<string>();
  private replaying: Promise<void> = Promise.resolve();

  constructor(options: RedisRateLimiterOptions) {
    this.prefix = `${options.keyPrefix ?? 'app:'}rl:`;
    this.fallback = new MemoryRateLimiter({ maxKeys: options.fallbackMaxKeys });
    this.connection = new RedisConnection({
      url: options.url,
      client: options.client,
      name: 'Redis rate limiter',
      whileDown: 'limiting in memory, per process,',
      logger: options.logger,
      onRecovered: () => {
        this.replaying = this.replayOutage();
      },
    });
  }

  /** `redis` while Redis answers, `memory` while falling back. */
  get backend(): 'redis' | 'memory' {
    return this.connection.available ? 'redis' : 'memory';
  }

  /** Resolves once Redis is connected; rejects after `timeoutMs` (default 2000). */
  whenReady(timeoutMs?: number): Promise<void> {
    return this.connection.whenReady(timeoutMs);
  }

  /**
   * Resolves once what this process counted and reset during the last outage has reached
   * Redis (or Redis went away again); at once when there was no outage.
   */
  whenReplayed(): Promise<void> {
    return this.replaying;
  }

  async consume(key: string, rule: RateLimitRule): Promise<RateLimitResult> {
    try {
      await this.settle(key);
      const [count, ttlMs] = await this.evaluate(CONSUME, key, [String(Math.max(1, Math.ceil(rule.windowMs)))]);
      this.mirror(key, rule, count, ttlMs);
      return toRateLimitResult(rule, count, ttlMs, true);
    } catch {
      const result = this.fallback.consumeNow(key, rule);
      if (durable(rule) && this.pendingMerges.size < MAX_PENDING) this.pendingMerges.add(key);
      return result;
    }
  }

  async peek(key: string, rule: RateLimitRule): Promise<RateLimitResult> {
    try {
      await this.settle(key);
      const [count, ttlMs] = await this.evaluate(PEEK, key, []);
      this.mirror(key, rule, count, ttlMs);
      return toRateLimitResult(rule, count, ttlMs, false);
    } catch {
      return this.fallback.peekNow(key, rule);
    }
  }

  async reset(key: string): Promise<void> {
    await this.fallback.reset(key);
    this.pendingMerges.delete(key);
    try {
      await this.connection.run((client) => client.del(this.prefix + key));
      this.pendingResets.delete(key);
    } catch {
      // A lost reset (say, after a successful login) would leave a stale count in Redis:
      // replay it when Redis is back. Bounded, since an outage can be long.
      if (this.pendingResets.size < 10_000) this.pendingResets.add(key);
    }
  }

  async check(): Promise<boolean> {
    return this.connection.ping();
  }

  async close(): Promise<void> {
    await this.fallback.close();
    await this.connection.close();
  }

  private async evaluate(lua: LuaScript, key: string, args: string[]): Promise<[number, number]> {
    const reply = await this.connection.run(async (client) => {
      try {
        return await client.evalsha(lua.sha, 1, this.prefix + key, ...args);
      } catch (error) {
        // The script cache is empty after a Redis restart or on a fresh server.
        if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
        return client.eval(lua.lua, 1, this.prefix + key, ...args);
      }
    });
    const [count, ttlMs] = reply as [number, number];
    return [Number(count), Number(ttlMs)];
  }

  /** Keeps the memory copy of a durable key equal to what Redis just said about it. */
  private mirror(key: string, rule: RateLimitRule, count: number, ttlMs: number): void {
    if (durable(rule)) this.fallback.store(key, { count, ttlMs, tier: rule.tier as RateLimitTier });
  }

  /**
   * Brings Redis up to date on `key` with what this process did to it during an outage: a
   * reset made then, and then the count made in memory since (a reset drops the key from the
   * merges, so a merge is always newer than the reset).
   */
  private async settle(key: string): Promise<void> {
    if (this.pendingResets.has(key)) {
      await this.connection.run((client) => client.del(this.prefix + key));
      this.pendingResets.delete(key);
    }
    if (!this.pendingMerges.has(key)) return;
    const entry = this.fallback.entry(key);
    if (entry) {
      const [count, ttlMs] = await this.evaluate(MERGE, key, [String(entry.count), String(Math.ceil(entry.ttlMs))]);
      this.fallback.store(key, { count, ttlMs, tier: entry.tier });
    }
    this.pendingMerges.delete(key);
  }

  /** After an outage, settles every key it touched; each is also settled before its next use. */
  private async replayOutage(): Promise<void> {
    try {
      for (const key of new Set([...this.pendingResets, ...this.pendingMerges])) await this.settle(key);
    } catch {
      // Redis went away again: what is left stays pending for the next recovery.
    }
  }
}

/** Whether the key's state must survive an outage (every tier but per-client buckets). */
function durable(rule: RateLimitRule): boolean {
  return rule.tier === 'counter' || rule.tier === 'lock';
}
