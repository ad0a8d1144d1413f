import { expect } from 'chai';
import sinon from 'sinon';
import { cacheKeys } from '../cache/cache';
import { MemoryCache } from '../cache/memory-cache';
import { createManualClock, systemClock } from '../clock/clock';
import { waitFor } from '../audit/audit-test-kit';
import { DashboardService } from './dashboard-service';
import { expectAppError, fakeCache, fakeUnitOfWork, fakeUserRepository, makeUser, testConfig, testEventBus } from './service-fakes';

const counts = { total: 10, active: 8, inactive: 2, superusers: 1, newToday: 3, newWeek: 5 };

function setup(cacheEnabled = true) {
  const users = fakeUserRepository();
  users.stats.resolves(counts);
  const cache = fakeCache();
  const service = new DashboardService(users, cache, testConfig({ cacheEnabled }), systemClock, testEventBus(fakeUnitOfWork()));
  return { service, users, cache };
}

describe('DashboardService', () => {
  describe('getStats', () => {
    it('computes on a miss and stores the stats for 60 s under the versions it read', async () => {
      const { service, cache } = setup();
      const { stats, cached } = await service.getStats();
      expect(cached).to.equal(false);
      expect(stats).to.include({ total_users: 10, active_users: 8, inactive_users: 2, superusers: 1, new_users_today: 3, new_users_week: 5 });
      expect(cache.getVersioned.firstCall.args).to.deep.equal(['dashboard:stats', ['dashboard']]);
      expect(cache.setVersioned.firstCall.args).to.deep.equal(['dashboard:stats', 'v1', stats, 60]);
    });

    it('caches again at once after a change, so registrations never keep it uncached', async () => {
      const users = fakeUserRepository();
      const cache = new MemoryCache();
      const service = new DashboardService(users, cache, testConfig(), systemClock, testEventBus(fakeUnitOfWork()));
      users.stats.resolves(counts);
      await service.getStats();
      await cache.bump(cacheKeys.dashboardScope()); // a user registered
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
      cache.getVersioned.resolves({ value: stored, stamp: 'v1' });
      expect(await service.getStats()).to.deep.equal({ stats: stored, cached: true });
      expect(users.stats.called).to.equal(false);
    });

    it('computes once for many concurrent misses in one process', async () => {
      const users = fakeUserRepository();
      const cache = new MemoryCache();
      const service = new DashboardService(users, cache, testConfig(), systemClock, testEventBus(fakeUnitOfWork()));
      let release!: () => void;
      users.stats.returns(new Promise((resolve) => (release = () => resolve(counts))));
      const reads = Array.from({ length: 20 }, () => service.getStats());
      await waitFor(() => users.stats.called);
      release();
      const results = await Promise.all(reads);
      expect(users.stats.callCount).to.equal(1);
      expect(results.every((result) => result.stats.total_users === 10)).to.equal(true);
      expect((await service.getStats()).cached).to.equal(true);
      await cache.close();
    });

    it('treats a failing cache as a miss', async () => {
      const { service, cache } = setup();
      cache.getVersioned.rejects(new Error('down'));
      cache.add.rejects(new Error('down'));
      expect((await service.getStats()).cached).to.equal(false);
    });

    it('skips the cache when it is disabled', async () => {
      const { service, cache } = setup(false);
      expect((await service.getStats()).cached).to.equal(false);
      expect(cache.getVersioned.called || cache.add.called || cache.setVersioned.called).to.equal(false);
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

  describe('getSignups', () => {
    function signupsSetup(cacheEnabled = true) {
      const users = fakeUserRepository();
      const cache = new MemoryCache();
      const clock = createManualClock(new Date('2026-03-10T15:45:00.000Z'));
      const events = testEventBus(fakeUnitOfWork());
      const service = new DashboardService(users, cache, testConfig({ cacheEnabled }), clock, events);
      return { service, users, cache, clock, events };
    }

    it('reports the last N UTC days, today included, oldest first, with zero-count days filled in', async () => {
      const { service, users } = signupsSetup();
      users.signupsPerDay.resolves([
        { date: '2026-03-08', count: 4 },
        { date: '2026-03-10', count: 1 },
      ]);
      const { signups, cached } = await service.getSignups({ days: '4' });
      expect(cached).to.equal(false);
      expect(users.signupsPerDay.firstCall.args[0]).to.deep.equal({
        start: new Date('2026-03-07T00:00:00.000Z'),
        end: new Date('2026-03-11T00:00:00.000Z'),
      });
      expect(signups.days).to.deep.equal([
        { date: '2026-03-07', count: 0 },
        { date: '2026-03-08', count: 4 },
        { date: '2026-03-09', count: 0 },
        { date: '2026-03-10', count: 1 },
      ]);
    });

    it('defaults to 30 days and refuses anything outside 1–365 with 422', async () => {
      const { service, users } = signupsSetup();
      users.signupsPerDay.resolves([]);
      expect((await service.getSignups()).signups.days).to.have.length(30);
      expect((await service.getSignups({ days: 365 })).signups.days[0]!.date).to.equal('2025-03-11');
      for (const days of [0, 366, 'abc', 1.5]) await expectAppError(service.getSignups({ days }), 'validation_error');
    });

    it('serves a hit until a user is created or deleted, then a fresh miss, then a hit again', async () => {
      const { service, users, cache, events } = signupsSetup();
      users.signupsPerDay.resolves([{ date: '2026-03-10', count: 1 }]);
      expect((await service.getSignups({ days: 1 })).cached).to.equal(false);
      expect(await service.getSignups({ days: 1 })).to.deep.equal({ signups: { days: [{ date: '2026-03-10', count: 1 }] }, cached: true });
      for (const change of [
        () => events.emit('user.created', { user: makeUser({ id: 5 }), actor: null, source: 'register' }),
        () => events.emit('users.bulk_created', { users: [makeUser({ id: 6 })], actor: null }),
        () => events.emit('user.deleted', { user: makeUser({ id: 5 }), actor: null }),
      ]) {
        const stamp = async () => (await cache.getVersioned('probe', [cacheKeys.dashboardScope()])).stamp;
        const version = await stamp();
        await change();
        await waitFor(async () => (await stamp()) !== version);
        users.signupsPerDay.resolves([{ date: '2026-03-10', count: users.signupsPerDay.callCount + 1 }]);
        const fresh = await service.getSignups({ days: 1 });
        expect(fresh.cached).to.equal(false);
        expect(fresh.signups.days[0]!.count).to.equal(users.signupsPerDay.callCount);
        expect((await service.getSignups({ days: 1 })).cached).to.equal(true);
      }
      await cache.close();
    });

    it('starts a new series after midnight UTC, and never caches when caching is off', async () => {
      const { service, users, clock } = signupsSetup();
      users.signupsPerDay.resolves([]);
      await service.getSignups({ days: 2 });
      clock.set(new Date('2026-03-11T00:00:01.000Z'));
      const next = await service.getSignups({ days: 2 });
      expect(next.cached).to.equal(false);
      expect(next.signups.days.map((day) => day.date)).to.deep.equal(['2026-03-10', '2026-03-11']);
      const off = signupsSetup(false);
      off.users.signupsPerDay.resolves([]);
      await off.service.getSignups();
      expect((await off.service.getSignups()).cached).to.equal(false);
      expect(off.users.signupsPerDay.callCount).to.equal(2);
    });
  });
});
