import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import sinon from 'sinon';
import { createCore, RedisCache, silentLogger, type Core, type CoreOptions } from '@app/core';
import { testDatabaseTargets, waitFor, type TestDatabase } from '@app/core/testing';

const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;

// Two cores sharing one database and one Redis: a burst of dashboard misses on both computes
// the stats once (single flight in each process, a short Redis lock across them).
if (databaseUrl && redisUrl) {
  describe('dashboard stats under a stampede, two instances sharing Redis', function () {
    this.timeout(60_000);
    let database: TestDatabase;
    const cores: Core[] = [];
    const caches: RedisCache[] = [];

    before(async () => {
      const postgres = testDatabaseTargets().find((target) => target.name === 'postgres');
      database = await postgres!.create();
      const keyPrefix = `stampede:${randomUUID()}:`;
      const shared: CoreOptions = {
        environment: 'test',
        database: { url: database.url },
        secretKey: randomBytes(32).toString('hex'),
        bcryptRounds: 4,
        logger: silentLogger,
      };
      for (let i = 0; i < 2; i += 1) {
        const cache = new RedisCache({ url: redisUrl, keyPrefix });
        await cache.whenReady();
        caches.push(cache);
        cores.push(await createCore({ ...shared, cache, migrate: i === 0 }));
      }
      await cores[0]!.services.users.createUser({ email: 'stampede@example.com', username: 'stampede', password: 'password-123' });
    });

    after(async () => {
      sinon.restore();
      await Promise.all(cores.map((core) => core.close()));
      await Promise.all(caches.map((cache) => cache.close()));
      await database?.drop();
    });

    it('computes once for 20 concurrent misses spread over both instances, and all get the same figures', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const computations = cores.map((core) => {
        const original = core.services.dashboard.computeStats.bind(core.services.dashboard);
        return sinon.stub(core.services.dashboard, 'computeStats').callsFake(async (now?: Date) => {
          await gate;
          return original(now);
        });
      });
      const reads = caches.map((cache) => sinon.spy(cache, 'getVersioned'));
      const computed = () => computations.reduce((sum, stub) => sum + stub.callCount, 0);

      const answers = Array.from({ length: 20 }, (_, i) => cores[i % 2]!.services.dashboard.getStats());
      // Every request has read the cache (and joined its process's flight) and the other
      // instance has looked for the lock holder's result, before the one computation may finish.
      const polled = () => reads.every((spy) => spy.callCount >= 10) && reads.reduce((sum, spy) => sum + spy.callCount, 0) > 20;
      await waitFor(() => computed() === 1 && polled(), { message: 'all misses waiting' }).finally(release);
      release();
      const results = await Promise.all(answers);

      expect(computed()).to.equal(1);
      expect(new Set(results.map((result) => JSON.stringify(result.stats))).size).to.equal(1);
      expect(results.filter((result) => !result.cached)).to.have.length.within(1, 10);
      for (const core of cores) expect((await core.services.dashboard.getStats()).cached).to.equal(true);
      expect(computed()).to.equal(1);
    });

    it('computes again, once, after a change bumps the figures on either instance', async () => {
      sinon.restore();
      const computations = cores.map((core) => sinon.spy(core.services.dashboard, 'computeStats'));
      const before = (await cores[0]!.services.dashboard.getStats()).stats;
      await cores[1]!.services.users.createUser({ email: 'stampede2@example.com', username: 'stampede2', password: 'password-123' });
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => cores[i % 2]!.services.dashboard.getStats()));
      expect(answers.every((answer) => answer.stats.total_users === before.total_users + 1)).to.equal(true);
      expect(computations.reduce((sum, spy) => sum + spy.callCount, 0)).to.equal(1);
    });
  });
}
