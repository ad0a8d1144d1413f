import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import type { Response } from 'supertest';
import { parseMetrics, sampleValue, type MetricSample } from '../prometheus-text';
import { expectError, expectJson, expectSecurityHeaders } from './assertions';
import { Harness, type MountHost, type SignedInUser, type StorageTarget, type TestClient } from './harness';

const METRICS_TOKEN = 'conformance-metrics-token-0123456789';

/** The samples of a successful scrape (checked for its media type and security headers). */
function samplesOf(res: Response): MetricSample[] {
  expect(res.status, res.text).to.equal(200);
  expect(res.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
  expectSecurityHeaders(res);
  return parseMetrics(res.text);
}

/**
 * `GET /metrics` (docs/reference/routes.md "Metrics") over HTTP: each metric name with its
 * labels after the traffic that feeds it, and the access rules with and without METRICS_TOKEN.
 */
export function metricsSuite(target: StorageTarget, mount: MountHost): void {
  describe('GET /metrics for superusers (no METRICS_TOKEN)', () => {
    const h = new Harness(target, mount, {
      loginLockout: { maxFailures: 2 },
      rateLimits: { 'users.get': { limit: 1, windowMs: 60_000 } },
    });
    let admin: SignedInUser;
    const scrape = async () => samplesOf(await admin.client.get('/metrics'));
    before(async () => {
      await h.start();
      admin = await h.signIn({ superuser: true });
    });
    after(() => h.stop());

    it('answers 401 without a token and 403 to a user who is not a superuser, in the envelope', async () => {
      expectError(await h.client().get('/metrics'), 401, 'authentication_error');
      expectError(await h.client().withToken('not-a-jwt').get('/metrics'), 401, 'authentication_error');
      const user = await h.signIn();
      expectError(await user.client.get('/metrics'), 403, 'authorization_error');
      const hits = sampleValue(await scrape(), 'app_http_requests_total', { route: '/metrics', method: 'GET', status: '403' });
      expect(hits, 'the refused scrape is counted under its route').to.be.at.least(1);
    });

    it('counts logins by result: success, failure and locked', async () => {
      const before = await scrape();
      const count = (samples: MetricSample[], result: string) => sampleValue(samples, 'app_logins_total', { result }) ?? 0;
      const { user, password } = await h.createUser();
      const client: TestClient = h.client();
      const login = (pw: string) => client.post(h.api('/auth/login'), { username: user.username, password: pw });
      expectJson(await login(password), 200);
      expectError(await login('wrong-password-1'), 401, 'authentication_error');
      expectError(await login('wrong-password-2'), 401, 'authentication_error');
      expectError(await login(password), 429, 'rate_limit_error');
      const after = await scrape();
      expect(count(after, 'success') - count(before, 'success')).to.equal(1);
      expect(count(after, 'failure') - count(before, 'failure')).to.equal(2);
      expect(count(after, 'locked') - count(before, 'locked')).to.equal(1);
      // Every login hashed: its wait for a worker is in the histogram.
      expect(sampleValue(after, 'app_hash_queue_wait_seconds_count')).to.be.greaterThan(sampleValue(before, 'app_hash_queue_wait_seconds_count') ?? 0);
      expect(after.some((s) => s.name === 'app_hash_queue_wait_seconds_bucket' && s.labels.le === '+Inf')).to.equal(true);
    });

    it('labels requests by route template and method, unmatched ones with one fixed label, with durations', async () => {
      const me = await h.signIn();
      expectJson(await me.client.get(h.api('/auth/me')), 200);
      expectJson(await admin.client.get(h.api(`/users/${me.user.id}`)), 200);
      expectError(await h.client().get(h.api('/no-such-route/12345')), 404, 'not_found_error');
      const samples = await scrape();
      expect(sampleValue(samples, 'app_http_requests_total', { route: h.api('/auth/me'), method: 'GET', status: '200' })).to.be.at.least(1);
      expect(sampleValue(samples, 'app_http_requests_total', { route: h.api('/users/:id'), method: 'GET', status: '200' })).to.be.at.least(1);
      expect(sampleValue(samples, 'app_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' })).to.be.at.least(1);
      const routes = samples.filter((s) => s.name === 'app_http_requests_total').map((s) => s.labels.route!);
      expect(routes.filter((route) => /\/\d+$|no-such/.test(route)), 'no raw path is a label').to.deep.equal([]);
      expect(sampleValue(samples, 'app_http_request_duration_seconds_count', { route: h.api('/auth/me'), method: 'GET' })).to.be.at.least(1);
      const bucket = samples.find((s) => s.name === 'app_http_request_duration_seconds_bucket' && s.labels.route === h.api('/auth/me'));
      expect(bucket?.labels).to.include.keys('le', 'method');
    });

    it('counts cache hits and misses and rate-limit refusals by route', async () => {
      const me = await h.signIn();
      const before = await scrape();
      const cache = (samples: MetricSample[], result: string) =>
        sampleValue(samples, 'app_cache_requests_total', { route: h.api('/auth/me'), result }) ?? 0;
      expect((await me.client.get(h.api('/auth/me'))).headers['x-cache']).to.equal('MISS');
      expect((await me.client.get(h.api('/auth/me'))).headers['x-cache']).to.equal('HIT');
      const other = await h.createUser();
      const reader = (await h.signIn({ superuser: true })).client;
      expectJson(await reader.get(h.api(`/users/${other.user.id}`)), 200);
      expectError(await reader.get(h.api(`/users/${other.user.id}`)), 429, 'rate_limit_error');
      const after = await scrape();
      expect(cache(after, 'miss') - cache(before, 'miss')).to.equal(1);
      expect(cache(after, 'hit') - cache(before, 'hit')).to.equal(1);
      const limited = (samples: MetricSample[]) => sampleValue(samples, 'app_rate_limited_total', { route: h.api('/users/:id') }) ?? 0;
      expect(limited(after) - limited(before)).to.equal(1);
    });

    it('reads the pool by state and the backends\' fallback at scrape time', async () => {
      const samples = await scrape();
      for (const state of ['idle', 'in_use', 'waiting']) {
        const value = sampleValue(samples, 'app_db_pool_connections', { state });
        expect(value, state).to.be.a('number').and.at.least(0);
      }
      // The scrape itself holds no connection past its authentication.
      expect(sampleValue(samples, 'app_db_pool_connections', { state: 'waiting' })).to.equal(0);
      expect(sampleValue(samples, 'app_backend_fallback', { port: 'cache' })).to.equal(0);
      expect(sampleValue(samples, 'app_backend_fallback', { port: 'rate_limiter' })).to.equal(0);
    });
  });

  describe('GET /metrics with METRICS_TOKEN, moved by metricsPath', () => {
    const h = new Harness(target, mount, { metricsToken: METRICS_TOKEN, metricsPath: '/internal/metrics' });
    before(() => h.start());
    after(() => h.stop());

    it('answers only the token, compared whole; a superuser\'s access token is refused', async () => {
      const samples = samplesOf(await h.client().withToken(METRICS_TOKEN).get('/internal/metrics'));
      expect(samples.some((s) => s.name === 'app_db_pool_connections')).to.equal(true);
      expectError(await h.client().get('/internal/metrics'), 401, 'authentication_error');
      expectError(await h.client().withToken(`${METRICS_TOKEN}x`).get('/internal/metrics'), 401, 'authentication_error');
      expectError(await h.client().withToken(METRICS_TOKEN.slice(0, -1)).get('/internal/metrics'), 401, 'authentication_error');
      const admin = await h.signIn({ superuser: true });
      expectError(await admin.client.get('/internal/metrics'), 401, 'authentication_error');
    });

    it('leaves /metrics to the host once moved', async () => {
      const old = await h.client().withToken(METRICS_TOKEN).get('/metrics');
      expect(old.status).to.equal(404);
      expect(old.body?.request_id, 'not the API\'s envelope').to.equal(undefined);
    });
  });
}
