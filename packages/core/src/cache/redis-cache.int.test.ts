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

  cacheContract('RedisCache', async () => {
    const cache = new RedisCache({ url: redisUrl, keyPrefix: prefix() });
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
        await cache.bump('scope');
        expect(await cache.getVersioned('k', ['scope'])).to.deep.equal({ value: undefined, stamp: undefined });
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

      it('replays the bumps made during the outage, so no stale entry is served', async () => {
        const fill = async (label: string, value: string) => {
          const { stamp } = await cache.getVersioned(label, [`scope:${label}`]);
          await cache.setVersioned(label, stamp!, value, 30);
          return stamp!;
        };
        const read = async (label: string) => (await cache.getVersioned(label, [`scope:${label}`])).value;
        const staleStamp = await fill('stale', 'old');
        await fill('kept', 'fine');
        await proxy.cut();
        await cache.bump('scope:stale');
        await proxy.restore();
        await waitFor(async () => (await cache.check()) && (await read('stale')) === undefined, { message: 'the bump is replayed' });
        expect(await read('kept')).to.equal('fine');
        // A fill that read before the outage lands under the old version: still unread.
        await cache.setVersioned('stale', staleStamp, 'old', 30);
        expect(await read('stale')).to.equal(undefined);
      });

      it('purges the prefix when too many bumps piled up, and no old entry comes back', async () => {
        const small = new RedisCache({ url: proxy.url(target.pathname), keyPrefix: prefix(), maxPendingBumps: 1 });
        await small.whenReady();
        try {
          const { stamp } = await small.getVersioned('k', ['scope:k']);
          await small.setVersioned('k', stamp!, 'old', 30);
          await proxy.cut();
          await small.bump('scope:a', 'scope:b');
          await proxy.restore();
          await waitFor(async () => (await small.check()) && (await small.getVersioned('k', ['scope:k'])).value === undefined, {
            message: 'the purge runs',
          });
          await small.setVersioned('k', stamp!, 'old', 30);
          expect((await small.getVersioned('k', ['scope:k'])).value).to.equal(undefined);
        } finally {
          await small.close();
        }
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

    it('keeps scope versions under v: with a TTL, as random tokens', async () => {
      const keyPrefix = prefix();
      const cache = new RedisCache({ client, keyPrefix });
      const { stamp } = await cache.getVersioned('k', ['user:1']);
      expect(await client.get(`${keyPrefix}cache:v:user:1`)).to.equal(stamp);
      expect(await client.pttl(`${keyPrefix}cache:v:user:1`)).to.be.above(3_600_000);
      await cache.bump('user:1');
      expect(await client.get(`${keyPrefix}cache:v:user:1`)).to.not.equal(stamp);
      await cache.close();
      await client.del(`${keyPrefix}cache:v:user:1`);
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
