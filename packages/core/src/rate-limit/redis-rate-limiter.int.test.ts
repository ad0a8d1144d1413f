import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { createMemoryLogger } from '../testing/memory-logger';
import { rateLimiterContract } from '../testing/rate-limiter-contract';
import { startTcpProxy, type TcpProxy } from '../testing/tcp-proxy';
import { RedisRateLimiter } from './redis-rate-limiter';
import { waitFor } from '../testing/wait-for';

const redisUrl = process.env.TEST_REDIS_URL;


if (redisUrl) {
  const prefix = () => `test:rl:${randomUUID()}:`;

  rateLimiterContract('RedisRateLimiter', async () => {
    const limiter = new RedisRateLimiter({ url: redisUrl, keyPrefix: prefix() });
    await limiter.whenReady();
    return limiter;
  });

  describe('RedisRateLimiter', () => {
    const rule = { limit: 3, windowMs: 5000 };

    describe('across processes', () => {
      let keyPrefix: string;
      let first: RedisRateLimiter;
      let second: RedisRateLimiter;

      beforeEach(async () => {
        keyPrefix = prefix();
        first = new RedisRateLimiter({ url: redisUrl, keyPrefix });
        second = new RedisRateLimiter({ url: redisUrl, keyPrefix });
        await Promise.all([first.whenReady(), second.whenReady()]);
      });

      afterEach(async () => {
        await Promise.all([first.close(), second.close()]);
      });

      it('shares one count between two instances', async () => {
        await first.consume('ip', rule);
        await first.consume('ip', rule);
        expect(await second.consume('ip', rule)).to.include({ allowed: true, count: 3, remaining: 0 });
        expect(await first.consume('ip', rule)).to.include({ allowed: false, count: 4 });
        expect((await second.peek('ip', rule)).count).to.equal(4);
        await second.reset('ip');
        expect((await first.peek('ip', rule)).count).to.equal(0);
      });

      it('allows exactly the limit when both instances are hit at once', async () => {
        const tight = { limit: 10, windowMs: 5000 };
        const hits = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? first : second).consume('burst', tight));
        const results = await Promise.all(hits);
        expect(results.filter((r) => r.allowed)).to.have.length(10);
      });
    });

    describe('while Redis is down', () => {
      const target = new URL(redisUrl);
      let proxy: TcpProxy;
      let limiter: RedisRateLimiter;
      let log: ReturnType<typeof createMemoryLogger>;
      let limiterPrefix: string;

      beforeEach(async () => {
        proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
        log = createMemoryLogger();
        limiterPrefix = prefix();
        limiter = new RedisRateLimiter({ url: proxy.url(target.pathname), keyPrefix: limiterPrefix, logger: log });
        await limiter.whenReady();
      });

      afterEach(async () => {
        await limiter.close();
        await proxy.close();
      });

      it('keeps limiting in memory and reports backend memory and check false', async () => {
        expect(limiter.backend).to.equal('redis');
        await proxy.cut();
        const started = Date.now();
        const results = [];
        for (let i = 0; i < 4; i += 1) results.push(await limiter.consume('ip', rule));
        expect(results.map((r) => r.allowed)).to.deep.equal([true, true, true, false]);
        expect(results[3]!.retryAfterSeconds).to.be.at.least(1);
        expect(Date.now() - started).to.be.below(1000);
        expect(limiter.backend).to.equal('memory');
        expect(await limiter.check()).to.equal(false);
        expect(log.messages('warn')).to.have.length(1);
        expect(log.messages('warn')[0]).to.match(/^Redis rate limiter unavailable/);
      });

      it('returns to the Redis count once Redis is back', async () => {
        await limiter.consume('ip', rule);
        await limiter.consume('ip', rule);
        await proxy.cut();
        await limiter.consume('ip', rule); // counted in memory only
        await proxy.restore();
        await waitFor(() => limiter.backend === 'redis');
        expect(await limiter.check()).to.equal(true);
        expect(await limiter.consume('ip', rule)).to.include({ allowed: true, count: 3 });
        expect(log.messages('info')).to.deep.equal(['Redis rate limiter available again.']);
      });

      it('fails over after one command timeout when Redis hangs, then fails fast until it answers', async () => {
        await limiter.consume('ip', rule);
        await limiter.consume('ip', rule);
        await proxy.stall();
        // Bounds from the behaviour, not the machine: the client gives up on a command after
        // 500 ms and the connection after 1000 ms, so "one timeout" is under two of ours and
        // "fails fast" is three calls in less than one client timeout (waiting on Redis, each
        // would take a whole one); a busy machine stretches the work, not by that much.
        let started = Date.now();
        expect(await limiter.consume('ip', rule)).to.include({ allowed: true, count: 1 });
        expect(Date.now() - started).to.be.below(2000);
        started = Date.now();
        const rest = [];
        for (let i = 0; i < 3; i += 1) rest.push(await limiter.consume('ip', rule));
        expect(Date.now() - started).to.be.below(500);
        expect(rest.map((r) => r.allowed)).to.deep.equal([true, true, false]);
        expect(limiter.backend).to.equal('memory');
        expect(await limiter.check()).to.equal(false);
        await proxy.restore();
        await waitFor(() => limiter.check());
        expect(limiter.backend).to.equal('redis');
        // The held consume reaches Redis late, so the Redis count is at least 2 + 1 + 1.
        expect((await limiter.consume('ip', rule)).count).to.be.at.least(4);
      });

      describe('failure counters and locks', () => {
        const lock = { limit: 1, windowMs: 60_000, tier: 'lock' as const };
        const counter = { limit: 10, windowMs: 60_000, tier: 'counter' as const };

        it('keeps a lock seen in Redis, and a counter where Redis left it, while Redis is down', async () => {
          await limiter.consume('lock', lock);
          for (let i = 0; i < 3; i += 1) await limiter.consume('fail', counter);
          await proxy.cut();
          expect(await limiter.peek('lock', lock)).to.include({ count: 1, allowed: false });
          expect(await limiter.consume('fail', counter)).to.include({ count: 4 });
          expect(limiter.backend).to.equal('memory');
        });

        it('keeps a lock taken while Redis was down once it is back, for every instance', async () => {
          await proxy.cut();
          await limiter.consume('lock', lock);
          for (let i = 0; i < 2; i += 1) await limiter.consume('fail', counter);
          await proxy.restore();
          await waitFor(() => limiter.backend === 'redis');
          expect(await limiter.peek('lock', lock)).to.include({ count: 1, allowed: false });
          await limiter.whenReplayed();
          const other = new RedisRateLimiter({ url: redisUrl, keyPrefix: limiterPrefix });
          try {
            await other.whenReady();
            expect((await other.peek('fail', counter)).count).to.equal(2);
            expect((await other.peek('lock', lock)).count).to.equal(1);
            expect(await other.consume('fail', counter)).to.include({ count: 3 });
          } finally {
            await other.close();
          }
        });

        it('merges with what Redis counted meanwhile: the larger count and the later expiry win', async () => {
          const other = new RedisRateLimiter({ url: redisUrl, keyPrefix: limiterPrefix });
          try {
            await other.whenReady();
            await limiter.consume('fail', counter);
            await proxy.cut();
            for (let i = 0; i < 4; i += 1) await limiter.consume('fail', counter); // memory: 5
            for (let i = 0; i < 2; i += 1) await other.consume('fail', counter); // Redis: 3
            await other.consume('short-lock', { ...lock, windowMs: 2000 });
            await limiter.consume('short-lock', lock); // a 60 s lock, taken in memory
            await proxy.restore();
            await waitFor(() => limiter.backend === 'redis');
            expect(await limiter.consume('fail', counter)).to.include({ count: 6 });
            await limiter.whenReplayed();
            expect((await other.peek('short-lock', lock)).resetSeconds).to.be.greaterThan(2);
          } finally {
            await other.close();
          }
        });

        it('lets a reset made during the outage win over the counts made before it', async () => {
          await limiter.consume('lock', lock);
          await proxy.cut();
          await limiter.consume('lock', lock);
          await limiter.reset('lock');
          await proxy.restore();
          await waitFor(async () => limiter.backend === 'redis' && (await limiter.peek('lock', lock)).count === 0);
          expect(await limiter.consume('lock', lock)).to.include({ count: 1 });
        });
      });

      it('replays a reset made during the outage once Redis is back', async () => {
        for (let i = 0; i < 4; i += 1) await limiter.consume('account', rule);
        await proxy.cut();
        await limiter.reset('account');
        await proxy.restore();
        await waitFor(async () => limiter.backend === 'redis' && (await limiter.peek('account', rule)).count === 0);
        expect(await limiter.consume('account', rule)).to.include({ allowed: true, count: 1 });
      });
    });
  });
}
