import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger/logger';
import { RedisConnection } from '../cache/redis-connection';
import { MemoryRateLimiter } from './memory-rate-limiter';
import type { RateLimiter, RateLimitResult, RateLimitRule } from './rate-limiter';
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
  /** Most keys the in-memory fallback tracks. Default 100 000. */
  fallbackMaxKeys?: number;
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

/**
 * A {@link RateLimiter} in Redis, shared by every process that uses the same Redis and key
 * prefix. When Redis fails it keeps limiting with an in-process {@link MemoryRateLimiter}
 * (counts made during the outage are per process); `backend` then says `memory` and
 * `check()` is false, and it returns to Redis by itself once the connection is ready.
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

  constructor(options: RedisRateLimiterOptions) {
    this.prefix = `${options.keyPrefix ?? 'app:'}rl:`;
    this.fallback = new MemoryRateLimiter({ maxKeys: options.fallbackMaxKeys });
    this.connection = new RedisConnection({
      url: options.url,
      client: options.client,
      name: 'Redis rate limiter',
      whileDown: 'limiting in memory, per process,',
      logger: options.logger,
      onRecovered: () => void this.replayResets(),
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

  async consume(key: string, rule: RateLimitRule): Promise<RateLimitResult> {
    try {
      const [count, ttlMs] = await this.evaluate(CONSUME, key, [String(Math.max(1, Math.ceil(rule.windowMs)))]);
      return toRateLimitResult(rule, count, ttlMs, true);
    } catch {
      return this.fallback.consumeNow(key, rule);
    }
  }

  async peek(key: string, rule: RateLimitRule): Promise<RateLimitResult> {
    try {
      const [count, ttlMs] = await this.evaluate(PEEK, key, []);
      return toRateLimitResult(rule, count, ttlMs, false);
    } catch {
      return this.fallback.peek(key, rule);
    }
  }

  async reset(key: string): Promise<void> {
    await this.fallback.reset(key);
    try {
      await this.connection.run((client) => client.del(this.prefix + key));
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

  private async replayResets(): Promise<void> {
    const keys = [...this.pendingResets];
    this.pendingResets.clear();
    for (const key of keys) await this.reset(key);
  }
}
