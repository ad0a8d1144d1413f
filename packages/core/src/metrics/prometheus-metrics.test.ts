import { expect } from 'chai';
import { aliceAuth, createTestApi, dispatchOwn, buildRequest, type TestApi } from '../http/http-test-kit';
import { parseMetrics, sampleValue } from '../testing/prometheus-text';
import { PrometheusMetrics } from './prometheus-metrics';

async function scrape(metrics: PrometheusMetrics) {
  return parseMetrics((await metrics.exposition()).text);
}

describe('PrometheusMetrics', () => {
  it('keeps two instances apart (a Registry each, not the global one)', async () => {
    const one = new PrometheusMetrics();
    const two = new PrometheusMetrics();
    one.login('success');
    one.login('success');
    two.login('failure');
    expect(sampleValue(await scrape(one), 'app_logins_total', { result: 'success' })).to.equal(2);
    expect(sampleValue(await scrape(one), 'app_logins_total', { result: 'failure' })).to.equal(undefined);
    expect(sampleValue(await scrape(two), 'app_logins_total', { result: 'failure' })).to.equal(1);
  });

  it('reads the pool and the fallbacks at scrape time', async () => {
    const metrics = new PrometheusMetrics();
    let inUse = 1;
    metrics.observe({
      pool: () => ({ pool_size: 10, checked_in: 3, checked_out: inUse, waiting: 2, overflow: 0, total_connections: 3 + inUse }),
      fallbacks: async () => ({ cache: false, rate_limiter: inUse > 1 }),
    });
    let samples = await scrape(metrics);
    expect(sampleValue(samples, 'app_db_pool_connections', { state: 'idle' })).to.equal(3);
    expect(sampleValue(samples, 'app_db_pool_connections', { state: 'in_use' })).to.equal(1);
    expect(sampleValue(samples, 'app_db_pool_connections', { state: 'waiting' })).to.equal(2);
    expect(sampleValue(samples, 'app_backend_fallback', { port: 'rate_limiter' })).to.equal(0);
    inUse = 4;
    samples = await scrape(metrics);
    expect(sampleValue(samples, 'app_db_pool_connections', { state: 'in_use' })).to.equal(4);
    expect(sampleValue(samples, 'app_backend_fallback', { port: 'rate_limiter' })).to.equal(1);
    expect(sampleValue(samples, 'app_backend_fallback', { port: 'cache' })).to.equal(0);
  });

  it('records hash queue waits as a histogram', async () => {
    const metrics = new PrometheusMetrics();
    metrics.hashQueueWait(0.002);
    metrics.hashQueueWait(3);
    const samples = await scrape(metrics);
    expect(sampleValue(samples, 'app_hash_queue_wait_seconds_count')).to.equal(2);
    expect(sampleValue(samples, 'app_hash_queue_wait_seconds_bucket', { le: '0.005' })).to.equal(1);
    expect(sampleValue(samples, 'app_hash_queue_wait_seconds_bucket', { le: '+Inf' })).to.equal(2);
  });
});

describe('the pipeline feeding the metrics', () => {
  let t: TestApi;
  beforeEach(() => {
    t = createTestApi({ rateLimits: { 'users.get': { limit: 1, windowMs: 60_000 } } });
  });
  afterEach(() => t.close());

  it('labels requests with the route template, never the raw path, and unmatched ones with one fixed label', async () => {
    t.services.users.getUser.resolves({ id: 5 } as never);
    await dispatchOwn(t.api, buildRequest({ path: '/api/v1/users/5', token: 'admin-token' }));
    await dispatchOwn(t.api, buildRequest({ path: '/api/v1/no-such/1' }));
    await dispatchOwn(t.api, buildRequest({ path: '/api/v1/no-such/2' }));
    await dispatchOwn(t.api, buildRequest({ method: 'BREW', path: '/api/v1/users' }));
    const samples = await scrape(t.metrics);
    const routes = new Set(samples.filter((s) => s.name === 'app_http_requests_total').map((s) => s.labels.route));
    expect([...routes].sort()).to.deep.equal(['/api/v1/users/:id', 'unmatched']);
    expect(sampleValue(samples, 'app_http_requests_total', { route: '/api/v1/users/:id', method: 'GET', status: '200' })).to.equal(1);
    expect(sampleValue(samples, 'app_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' })).to.equal(2);
    expect(sampleValue(samples, 'app_http_requests_total', { route: 'unmatched', method: 'OTHER', status: '405' })).to.equal(1);
    expect(sampleValue(samples, 'app_http_request_duration_seconds_count', { route: '/api/v1/users/:id', method: 'GET' })).to.equal(1);
  });

  it('counts cache hits and misses and rate-limit refusals by route template', async () => {
    t.services.users.getUser.resolves({ id: 5 } as never);
    await t.call('auth.me', { token: 'user-token' });
    // The second lookup comes from the session lookup cache: /auth/me answers X-Cache: HIT.
    t.services.auth.authenticate.withArgs('user-token').resolves({ ...aliceAuth, cached: true });
    expect((await t.call('auth.me', { token: 'user-token' })).headers['X-Cache']).to.equal('HIT');
    await t.call('users.get', { token: 'admin-token', params: { id: '5' } });
    const refused = await t.call('users.get', { token: 'admin-token', params: { id: '5' } });
    expect(refused.status).to.equal(429);
    const samples = await scrape(t.metrics);
    expect(sampleValue(samples, 'app_cache_requests_total', { route: '/api/v1/auth/me', result: 'miss' })).to.equal(1);
    expect(sampleValue(samples, 'app_cache_requests_total', { route: '/api/v1/auth/me', result: 'hit' })).to.equal(1);
    expect(sampleValue(samples, 'app_rate_limited_total', { route: '/api/v1/users/:id' })).to.equal(1);
    expect(sampleValue(samples, 'app_http_requests_total', { route: '/api/v1/users/:id', status: '429' })).to.equal(1);
  });

  it('serves /metrics outside the prefix, moved by metricsPath, and leaves it to the host with metricsPath: false', async () => {
    expect(t.api.routes.find((route) => route.id === 'metrics.prometheus')?.path).to.equal('/metrics');
    const moved = createTestApi({ metricsPath: '/internal/metrics' });
    const off = createTestApi({ metricsPath: false });
    try {
      expect(moved.api.routes.find((route) => route.id === 'metrics.prometheus')?.path).to.equal('/internal/metrics');
      expect(await moved.api.dispatch(buildRequest({ path: '/metrics' })), 'not the API\'s any more').to.equal(undefined);
      expect(off.api.routes.some((route) => route.id === 'metrics.prometheus')).to.equal(false);
      expect(await off.api.dispatch(buildRequest({ path: '/metrics' }))).to.equal(undefined);
    } finally {
      await moved.close();
      await off.close();
    }
  });
});
