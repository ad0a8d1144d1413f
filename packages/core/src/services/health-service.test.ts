import { expect } from 'chai';
import sinon from 'sinon';
import type { DatabaseInfo } from '../database/database-info';
import type { CoreOptions } from '../config/options';
import { HealthService, HEALTH_CHECK_TIMEOUT_MS } from './health-service';
import { fakeCache, testConfig, type FakeCache } from './service-fakes';

function setup(options: { ping?: () => Promise<void>; cache?: FakeCache; limiter?: FakeCache; config?: CoreOptions } = {}) {
  const database: DatabaseInfo = {
    provider: 'sqlite',
    ping: options.ping ?? (async () => undefined),
    poolMetrics: () => ({ pool_size: 1, checked_in: 0, checked_out: 0, waiting: 0, overflow: 0, total_connections: 0 }),
  };
  const cache = options.cache ?? fakeCache();
  // The health check only uses `backend` and `check()`, which the cache fake has too.
  const limiter = (options.limiter ?? fakeCache()) as never;
  const config = testConfig({ appName: 'Test API', appVersion: '9.9.9', ...options.config });
  return new HealthService(database, cache, limiter, config);
}

describe('HealthService', () => {
  describe('check', () => {
    it('is healthy when everything answers, with the app name and version', async () => {
      const report = await setup().check();
      expect(report).to.deep.equal({
        status: 'healthy',
        app_name: 'Test API',
        version: '9.9.9',
        checks: {
          database: { status: 'healthy', provider: 'sqlite' },
          cache: { status: 'healthy', backend: 'memory' },
          rate_limiter: { status: 'healthy', backend: 'memory' },
        },
      });
    });

    it('is unhealthy when the database ping fails, without the driver text', async () => {
      const report = await setup({ ping: async () => Promise.reject(new Error('password authentication failed for user x')) }).check();
      expect(report.status).to.equal('unhealthy');
      expect(report.checks.database.status).to.equal('unhealthy');
      expect(JSON.stringify(report)).to.not.contain('password');
    });

    it('is degraded when a Redis-backed cache is down but the database is fine', async () => {
      const cache = fakeCache('memory');
      cache.check.resolves(false);
      const report = await setup({ cache, config: { redis: { url: 'redis://127.0.0.1:6379/15' } } }).check();
      expect(report.status).to.equal('degraded');
      expect(report.checks.cache).to.deep.equal({ status: 'unhealthy', backend: 'redis' });
      expect(report.checks.rate_limiter.status).to.equal('healthy');
    });

    it('is degraded when the limiter check throws', async () => {
      const limiter = fakeCache('redis');
      limiter.check.rejects(new Error('ECONNREFUSED'));
      const report = await setup({ limiter }).check();
      expect(report.status).to.equal('degraded');
      expect(report.checks.rate_limiter).to.deep.equal({ status: 'unhealthy', backend: 'redis' });
    });

    it('reports disabled ports as disabled with backend none', async () => {
      const report = await setup({ config: { cacheEnabled: false, limiterEnabled: false } }).check();
      expect(report.status).to.equal('healthy');
      expect(report.checks.cache).to.deep.equal({ status: 'disabled', backend: 'none' });
      expect(report.checks.rate_limiter).to.deep.equal({ status: 'disabled', backend: 'none' });
    });

    it('answers within the timeout when the database hangs', async () => {
      const clock = sinon.useFakeTimers();
      try {
        const pending = setup({ ping: () => new Promise<void>(() => undefined) }).check();
        await clock.tickAsync(HEALTH_CHECK_TIMEOUT_MS + 1);
        const report = await pending;
        expect(report.status).to.equal('unhealthy');
      } finally {
        clock.restore();
      }
    });
  });
});
