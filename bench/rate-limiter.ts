/**
 * Rate-limiter benchmark: our MemoryRateLimiter and RedisRateLimiter against
 * rate-limiter-flexible's RateLimiterMemory and RateLimiterRedis (with a memory insurance
 * limiter), measured in the same run. Prints Markdown tables; ratios are ours ÷ theirs.
 *
 *   npm run bench:limiter
 *
 * Environment: REDIS_URL (default redis://127.0.0.1:6379/13; keys get a random prefix and
 * expire), BENCH_LIMITER_OPS (default 200000 memory operations; Redis runs a tenth).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { MemoryRateLimiter, RedisRateLimiter } from '@app/core';
import { startTcpProxy } from '@app/core/testing';
// Not part of the public API: the same fast-fail client settings our limiter uses.
import { fastFailRedisOptions } from '../packages/core/src/cache/redis-connection';
import { printTable } from './lib/table';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/13';
const memoryOps = Number(process.env.BENCH_LIMITER_OPS ?? 200_000);
const redisOps = Math.max(1000, Math.floor(memoryOps / 10));
const IN_FLIGHT = 50;

type Consume = (key: string) => Promise<boolean>;

/** Ours and theirs behind one shape: consume one point, say whether it was allowed. */
function ours(limiter: MemoryRateLimiter | RedisRateLimiter, limit: number, windowMs: number): Consume {
  return async (key) => (await limiter.consume(key, { limit, windowMs })).allowed;
}
function theirs(limiter: RateLimiterMemory | RateLimiterRedis): Consume {
  return async (key) => {
    try {
      await limiter.consume(key);
      return true;
    } catch (error) {
      if (error instanceof RateLimiterRes) return false;
      throw error;
    }
  };
}

/** A fast-failing ioredis client, once it is ready. */
async function connect(url: string): Promise<Redis> {
  const client = new Redis(url, fastFailRedisOptions());
  await new Promise((resolve) => client.once('ready', resolve));
  return client;
}

/** Operations per second of `consume` over `ops` calls, `inFlight` at a time. */
async function opsPerSecond(consume: Consume, ops: number, keyOf: (i: number) => string, inFlight = 1): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < ops) await consume(keyOf(next++));
    }),
  );
  return ops / ((performance.now() - start) / 1000);
}

/** Heap bytes per key after `keys` distinct keys were consumed once each. */
async function bytesPerKey(make: () => { consume: Consume; close: () => Promise<unknown> }, keys: number): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return Number.NaN;
  gc();
  const before = process.memoryUsage().heapUsed;
  const limiter = make();
  for (let i = 0; i < keys; i += 1) await limiter.consume(`flood:${i}`);
  gc();
  const used = process.memoryUsage().heapUsed - before;
  await limiter.close();
  return used / keys;
}

const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a (run with --expose-gc)');
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)} ×` : '-');

async function memoryTable(): Promise<void> {
  const rows: string[][] = [];
  const hot = (i: number) => `hot:${i % 1000}`;
  const unique = (i: number) => `unique:${i}`;
  for (const [label, keyOf] of [
    ['1,000 hot keys', hot],
    ['every key new (a flood)', unique],
  ] as const) {
    const mine = new MemoryRateLimiter();
    const flex = new RateLimiterMemory({ points: 1_000_000, duration: 60 });
    // Interleaved twice, so neither side always runs on a colder JIT or a fuller heap.
    let a = 0;
    let b = 0;
    for (let round = 0; round < 2; round += 1) {
      a = Math.max(a, await opsPerSecond(ours(mine, 1_000_000, 60_000), memoryOps, (i) => `${round}:${keyOf(i)}`));
      b = Math.max(b, await opsPerSecond(theirs(flex), memoryOps, (i) => `${round}:${keyOf(i)}`));
    }
    await mine.close();
    rows.push([`consume, ${label}`, fmt(a), fmt(b), ratio(a, b)]);
  }
  const keys = Math.min(memoryOps, 100_000);
  const mineBytes = await bytesPerKey(() => {
    const limiter = new MemoryRateLimiter();
    return { consume: ours(limiter, 10, 60_000), close: () => limiter.close() };
  }, keys);
  const flexBytes = await bytesPerKey(() => {
    const limiter = new RateLimiterMemory({ points: 10, duration: 60 });
    return { consume: theirs(limiter), close: async () => {} };
  }, keys);
  rows.push([`heap bytes per key (${fmt(keys)} keys)`, fmt(mineBytes), fmt(flexBytes), ratio(mineBytes, flexBytes)]);
  console.log(`\n### Memory store (${fmt(memoryOps)} sequential consumes per run)\n`);
  printTable(['measure', 'ours', 'rate-limiter-flexible', 'ours ÷ theirs'], rows);
}

async function redisTable(prefix: string): Promise<void> {
  const mine = new RedisRateLimiter({ url: redisUrl, keyPrefix: `${prefix}ours:` });
  await mine.whenReady();
  const client = await connect(redisUrl);
  const flex = new RateLimiterRedis({ storeClient: client, keyPrefix: `${prefix}flex`, points: 1_000_000, duration: 60 });
  const rows: string[][] = [];
  for (const inFlight of [1, IN_FLIGHT]) {
    let a = 0;
    let b = 0;
    for (let round = 0; round < 2; round += 1) {
      a = Math.max(a, await opsPerSecond(ours(mine, 1_000_000, 60_000), redisOps, (i) => `${round}:${i % 1000}`, inFlight));
      b = Math.max(b, await opsPerSecond(theirs(flex), redisOps, (i) => `${round}:${i % 1000}`, inFlight));
    }
    rows.push([`consume, ${inFlight} in flight`, fmt(a), fmt(b), ratio(a, b)]);
  }

  // Atomicity: two instances each, 1,000 concurrent hits on one key with a limit of 100.
  const mineTwo = new RedisRateLimiter({ url: redisUrl, keyPrefix: `${prefix}ours:` });
  await mineTwo.whenReady();
  const clientTwo = await connect(redisUrl);
  const flexTwo = new RateLimiterRedis({ storeClient: clientTwo, keyPrefix: `${prefix}flex`, points: 100, duration: 60 });
  const flexOne = new RateLimiterRedis({ storeClient: client, keyPrefix: `${prefix}flex`, points: 100, duration: 60 });
  const allowed = async (consumers: Consume[]) =>
    (await Promise.all(Array.from({ length: 1000 }, (_, i) => consumers[i % 2]!('atomic')))).filter(Boolean).length;
  rows.push([
    'allowed of 1,000 concurrent hits, limit 100, 2 instances',
    String(await allowed([ours(mine, 100, 60_000), ours(mineTwo, 100, 60_000)])),
    String(await allowed([theirs(flexOne), theirs(flexTwo)])),
    '-',
  ]);
  console.log(`\n### Redis store (${fmt(redisOps)} consumes per run on 1,000 keys)\n`);
  printTable(['measure', 'ours', 'rate-limiter-flexible', 'ours ÷ theirs'], rows);
  await Promise.all([mine.close(), mineTwo.close(), client.quit(), clientTwo.quit()]);
}

/** What each library does with a lock across a Redis outage, driven through a TCP proxy. */
async function outageTable(prefix: string): Promise<void> {
  const target = new URL(redisUrl);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
  const url = proxy.url(target.pathname);
  const mine = new RedisRateLimiter({ url, keyPrefix: `${prefix}outage-ours:` });
  await mine.whenReady();
  const client = await connect(url);
  client.on('error', () => {}); // the outage below is on purpose
  const flex = new RateLimiterRedis({
    storeClient: client,
    keyPrefix: `${prefix}outage-flex`,
    points: 5,
    duration: 900,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ points: 5, duration: 900 }),
  });
  const lock = { limit: 5, windowMs: 900_000, tier: 'lock' as const };
  const mineConsume: Consume = async (key) => (await mine.consume(key, lock)).allowed;
  const flexConsume = theirs(flex);
  const lockUp = async (consume: Consume, key: string) => {
    for (let i = 0; i < 6; i += 1) await consume(key);
  };
  const waitUp = async () => {
    const deadline = Date.now() + 10_000;
    while ((mine.backend !== 'redis' || client.status !== 'ready') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await mine.whenReplayed();
  };
  const held = (allowed: boolean) => (allowed ? 'forgotten (allowed)' : 'held (refused)');

  await lockUp(mineConsume, 'before');
  await lockUp(flexConsume, 'before');
  await proxy.cut();
  const rows = [['lock taken in Redis, checked while Redis is down', held(await mineConsume('before')), held(await flexConsume('before'))]];
  await lockUp(mineConsume, 'during');
  await lockUp(flexConsume, 'during');
  await proxy.restore();
  await waitUp();
  rows.push(['lock taken while Redis was down, checked after it returns', held(await mineConsume('during')), held(await flexConsume('during'))]);

  const shortOurs = new RedisRateLimiter({ url: redisUrl, keyPrefix: `${prefix}short-ours:` });
  await shortOurs.whenReady();
  const shortClient = await connect(redisUrl);
  const shortFlex = new RateLimiterRedis({ storeClient: shortClient, keyPrefix: `${prefix}short-flex`, points: 1, duration: 0.4 });
  await shortOurs.consume('k', { limit: 1, windowMs: 400 });
  await shortFlex.consume('k').catch(() => {});
  const ttl = async (key: string) => shortClient.pttl(key);
  rows.push([
    'TTL of a 400 ms window in Redis (ms; -1 = never expires)',
    String(await ttl(`${prefix}short-ours:rl:k`)),
    String(await ttl(`${prefix}short-flex:k`)),
  ]);
  console.log('\n### Behaviour\n');
  printTable(['case', 'ours', 'rate-limiter-flexible (insurance: memory)'], rows);
  await shortClient.del(`${prefix}short-flex:k`);
  await Promise.all([mine.close(), shortOurs.close(), client.quit().catch(() => {}), shortClient.quit()]);
  await proxy.close();
}

async function main(): Promise<void> {
  const prefix = `bench:rl:${randomUUID()}:`;
  console.log(`# bench:limiter, Node ${process.version}`);
  await memoryTable();
  await redisTable(prefix);
  await outageTable(prefix);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
