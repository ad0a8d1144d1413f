import { expect } from 'chai';
import sinon from 'sinon';
import { cacheKeys, TOMBSTONE_SECONDS } from '../cache/cache';
import { MemoryCache } from '../cache/memory-cache';
import { systemClock } from '../clock/clock';
import { DashboardService } from './dashboard-service';
import { fakeCache, fakeUserRepository, testConfig } from './service-fakes';

const counts = { total: 10, active: 8, inactive: 2, superusers: 1, newToday: 3, newWeek: 5 };

function setup(cacheEnabled = true) {
  const users = fakeUserRepository();
  users.stats.resolves(counts);
  const cache = fakeCache();
  const service = new DashboardService(users, cache, testConfig({ cacheEnabled }), systemClock);
  return { service, users, cache };
}

describe('DashboardService', () => {
  describe('getStats', () => {
    it('computes on a miss and stores the stats for 60 s under the shared key', async () => {
      const { service, cache } = setup();
      const { stats, cached } = await service.getStats();
      expect(cached).to.equal(false);
      expect(stats).to.include({ total_users: 10, active_users: 8, inactive_users: 2, superusers: 1, new_users_today: 3, new_users_week: 5 });
      expect(cache.set.firstCall.args).to.deep.equal(['dashboard:stats', stats, 60]);
    });

    it('caches again at once after an invalidation, so registrations never keep it uncached', async () => {
      const users = fakeUserRepository();
      const cache = new MemoryCache();
      const service = new DashboardService(users, cache, testConfig(), systemClock);
      users.stats.resolves(counts);
      await service.getStats();
      await cache.delete(cacheKeys.dashboardStats()); // a user registered
      users.stats.resolves({ ...counts, total: 11 });
      expect(await service.getStats()).to.deep.include({ cached: false });
      const next = await service.getStats();
      expect(next.cached).to.equal(true);
      expect(next.stats.total_users).to.equal(11);
      await cache.close();
    });

    it('serves a cached copy without querying', async () => {
      const { service, cache, users } = setup();
      const stored = { total_users: 1, active_users: 1, inactive_users: 0, superusers: 0, new_users_today: 0, new_users_week: 0, timestamp: 'x' };
      cache.get.withArgs('dashboard:stats').resolves(stored);
      expect(await service.getStats()).to.deep.equal({ stats: stored, cached: true });
      expect(users.stats.called).to.equal(false);
    });

    it('treats a failing cache as a miss', async () => {
      const { service, cache } = setup();
      cache.get.rejects(new Error('down'));
      cache.add.rejects(new Error('down'));
      expect((await service.getStats()).cached).to.equal(false);
    });

    it('skips the cache when it is disabled', async () => {
      const { service, cache } = setup(false);
      expect((await service.getStats()).cached).to.equal(false);
      expect(cache.get.called || cache.add.called || cache.set.called).to.equal(false);
    });
  });

  describe('computeStats', () => {
    it('counts "today" from 00:00 UTC and "week" over the last 7×24 h', async () => {
      const { service, users } = setup();
      const stats = await service.computeStats(new Date('2026-03-10T15:45:00.000Z'));
      expect(users.stats.firstCall.args[0]).to.deep.equal({
        todayStart: new Date('2026-03-10T00:00:00.000Z'),
        weekStart: new Date('2026-03-03T15:45:00.000Z'),
      });
      expect(stats.timestamp).to.equal('2026-03-10T15:45:00.000Z');
    });
  });
});
