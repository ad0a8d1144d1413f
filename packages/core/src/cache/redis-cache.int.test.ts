import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import { createMemoryLogger } from '../testing/memory-logger';
import { cacheContract } from '../testing/cache-contract';
import { startTcpProxy, type TcpProxy } from '../testing/tcp-proxy';
import { RedisCache } from './redis-cache';
import { waitFor } from '../testing/wait-for';

const redisUrl = process.env.TEST_REDIS_URL;


function recordingLogger() {
  const logger = createMemoryLogger();
  const lines = {
    get info() {
      return logger.messages('info');
    },
    get warn() {
      return logger.messages('warn');
    },
    get error() {
      return logger.messages('error');
    },
  };
  return { logger, lines };
}

if (redisUrl) {
  const prefix = () => `test:cache:${randomUUID()}:`;

  cacheContract('RedisCache', async ({ tombstoneSeconds }) => {
    const cache = new RedisCache({ url: redisUrl, keyPrefix: prefix(), tombstoneSeconds });
    await cache.whenReady();
    return cache;
  });

  describe('RedisCache', () => {
    const target = new URL(redisUrl);
    let proxy: TcpProxy;
    let cache: RedisCache;
    let log: ReturnType<typeof recordingLogger>;

    beforeEach(async () => {
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
      log = recordingLogger();
      cache = new RedisCache({ url: proxy.url(target.pathname), keyPrefix: prefix(), logger: log.logger });
      await cache.whenReady();
    });

    afterEach(async () => {
      await cache.close();
      await proxy.close();
    });

    describe('while Redis is down', () => {
      it('misses every read fast and without an error, drops writes, and reports unhealthy', async () => {
        await cache.set('k', { v: 1 }, 30);
        await proxy.cut();
        const started = Date.now();
        expect(await cache.get('k')).to.equal(undefined);
        await cache.set('other', 'x', 30);
        await cache.delete('nothing');
        expect(await cache.check()).to.equal(false);
        expect(Date.now() - started).to.be.below(1000);
        expect(cache.backend).to.equal('redis');
      });

      it('logs the outage once and the recovery once', async () => {
        await proxy.cut();
        for (let i = 0; i < 5; i += 1) await cache.get('k');
        await new Promise((resolve) => setTimeout(resolve, 300)); // a few failed reconnects
        expect(log.lines.warn).to.have.length(1);
        expect(log.lines.warn[0]).to.match(/^Redis cache unavailable/);
        await proxy.restore();
        await waitFor(() => cache.check());
        await cache.get('k');
        expect(log.lines.info).to.deep.equal(['Redis cache available again.']);
        expect(log.lines.warn).to.have.length(1);
      });
    });

    describe('after Redis comes back', () => {
      it('serves the entries Redis kept, by itself', async () => {
        await cache.set('k', { v: 1 }, 30);
        await proxy.cut();
        expect(await cache.get('k')).to.equal(undefined);
        await proxy.restore();
        await waitFor(() => cache.check());
        expect(await cache.get('k')).to.deep.equal({ v: 1 });
      });

      it('replays the deletes made during the outage, so no stale entry is served', async () => {
        await cache.set('stale', 'old', 30);
        await cache.set('kept', 'fine', 30);
        await proxy.cut();
        await cache.delete('stale');
        await proxy.restore();
        await waitFor(async () => (await cache.check()) && (await cache.get('stale')) === undefined);
        expect(await cache.get('kept')).to.equal('fine');
      });

      it('replays those deletes as tombstones, so a fill that read before them stores nothing', async () => {
        await cache.set('stale', 'old', 30);
        await proxy.cut();
        await cache.delete('stale');
        await proxy.restore();
        await waitFor(async () => (await cache.check()) && (await cache.get('stale')) === undefined);
        expect(await cache.add('stale', 'old', 30)).to.equal(false);
        expect(await cache.get('stale')).to.equal(undefined);
      });

      it('does not fill during the outage', async () => {
        await proxy.cut();
        expect(await cache.add('k', 'during', 30)).to.equal(false);
        await proxy.restore();
        await waitFor(() => cache.check());
        expect(await cache.get('k')).to.equal(undefined);
      });
    });
  });

  describe('RedisCache with a client it did not create', () => {
    let client: Redis;

    before(async () => {
      client = new Redis(redisUrl, { maxRetriesPerRequest: 0 });
      await client.ping();
    });

    after(async () => {
      await client.quit();
    });

    it('uses the client under its key prefix and leaves it open on close', async () => {
      const keyPrefix = prefix();
      const cache = new RedisCache({ client, keyPrefix });
      await cache.set('k', { v: 1 }, 30);
      expect(JSON.parse((await client.get(`${keyPrefix}cache:k`))!)).to.deep.equal({ v: 1 });
      expect(await client.pttl(`${keyPrefix}cache:k`)).to.be.within(29_000, 30_000);
      await cache.close();
      expect(await client.ping()).to.equal('PONG');
      await client.del(`${keyPrefix}cache:k`);
    });

    it('leaves a tombstone that expires by itself after tombstoneSeconds', async () => {
      const keyPrefix = prefix();
      const cache = new RedisCache({ client, keyPrefix, tombstoneSeconds: 5 });
      await cache.set('k', { v: 1 }, 30);
      await cache.delete('k');
      expect(await client.pttl(`${keyPrefix}cache:k`)).to.be.within(4_000, 5_000);
      expect(await cache.get('k')).to.equal(undefined);
      await cache.close();
      await client.del(`${keyPrefix}cache:k`);
    });
  });

  describe('RedisCache.whenReady', () => {
    it('rejects when Redis is unreachable', async () => {
      const cache = new RedisCache({ url: 'redis://127.0.0.1:1/0' });
      try {
        await cache.whenReady(300).then(
          () => expect.fail('whenReady resolved'),
          (error: Error) => expect(error.message).to.match(/not reachable/),
        );
        expect(await cache.get('k')).to.equal(undefined);
      } finally {
        await cache.close();
      }
    });
  });
}
