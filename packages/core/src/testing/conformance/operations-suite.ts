import { expect } from 'chai';
import { before, describe, it } from 'mocha';
import type { DashboardStats, HealthReport, PoolMetrics } from '../../domain/types';
import { expectError, expectIsoUtc, expectJson, expectUserJson, type UserBody } from './assertions';
import type { Harness, SignedInUser } from './harness';

interface ExportBody {
  exported_at: string;
  total_users: number;
  users: UserBody[];
}

/** Response caching, dashboard, metrics, exports, OpenAPI and health. */
export function operationsSuite(h: Harness): void {
  let admin: SignedInUser;
  before(async () => {
    admin = await h.signIn({ superuser: true });
  });

  describe('response cache (X-Cache)', () => {
    it('GET /users/:id: MISS, then HIT; a PATCH invalidates it and the next read has the new data', async () => {
      const { user } = await h.createUser({ full_name: 'Old Name' });
      const path = h.api(`/users/${user.id}`);
      expect((await admin.client.get(path)).headers['x-cache']).to.equal('MISS');
      const hit = await admin.client.get(path);
      expect(hit.headers['x-cache']).to.equal('HIT');
      expect(hit.body.full_name).to.equal('Old Name');
      expectJson(await admin.client.patch(path, { full_name: 'New Name' }), 200);
      const fresh = await admin.client.get(path);
      expect(fresh.headers['x-cache']).to.equal('MISS');
      expect(fresh.body.full_name).to.equal('New Name');
      // Re-filled at once: the read right after the miss is a hit with the new data.
      const refilled = await admin.client.get(path);
      expect(refilled.headers['x-cache']).to.equal('HIT');
      expect(refilled.body.full_name).to.equal('New Name');
    });

    it('never serves a cached user to a caller who may not read it', async () => {
      const me = await h.signIn();
      const { user: other } = await h.createUser();
      await admin.client.get(h.api(`/users/${other.id}`));
      await admin.client.get(h.api(`/users/${other.id}`));
      expectError(await me.client.get(h.api(`/users/${other.id}`)), 403, 'authorization_error');
    });

    it('GET /auth/me: MISS, then HIT; the user\'s own PATCH invalidates it; a logout refuses the token anyway', async () => {
      const me = await h.signIn({ full_name: 'Before' });
      expect((await me.client.get(h.api('/auth/me'))).headers['x-cache']).to.equal('MISS');
      expect((await me.client.get(h.api('/auth/me'))).headers['x-cache']).to.equal('HIT');
      expectJson(await me.client.patch(h.api(`/users/${me.user.id}`), { full_name: 'After' }), 200);
      const fresh = await me.client.get(h.api('/auth/me'));
      expect(fresh.headers['x-cache']).to.equal('MISS');
      expect(fresh.body.full_name).to.equal('After');
      const refilled = await me.client.get(h.api('/auth/me'));
      expect(refilled.headers['x-cache']).to.equal('HIT');
      expect(refilled.body.full_name).to.equal('After');
      await me.client.post(h.api('/auth/logout'));
      expectError(await me.client.get(h.api('/auth/me')), 401, 'authentication_error');
    });
  });

  describe('GET /dashboard/stats', () => {
    it('returns the seven figures, cached (HIT with the same body), invalidated by a user update', async () => {
      // An update first, so the figures below are fresh whatever earlier tests cached.
      const { user: earlier } = await h.createUser();
      expectJson(await admin.client.patch(h.api(`/users/${earlier.id}`), { full_name: 'Fresh' }), 200);
      const fresh = await admin.client.get(h.api('/dashboard/stats'));
      expect(fresh.headers['x-cache']).to.equal('MISS');
      const first = expectJson<DashboardStats>(fresh, 200);
      expect(Object.keys(first).sort()).to.deep.equal(
        ['active_users', 'inactive_users', 'new_users_today', 'new_users_week', 'superusers', 'timestamp', 'total_users'],
      );
      for (const [key, value] of Object.entries(first)) {
        if (key !== 'timestamp') expect(Number.isInteger(value) && (value as number) >= 0, key).to.equal(true);
      }
      expectIsoUtc(first.timestamp);
      expect(first.total_users).to.equal(first.active_users + first.inactive_users);
      expect(first.new_users_week).to.be.at.least(first.new_users_today).and.at.most(first.total_users);
      expect(first.superusers).to.be.at.least(2);

      const again = await admin.client.get(h.api('/dashboard/stats'));
      expect(again.headers['x-cache']).to.equal('HIT');
      expect(again.body).to.deep.equal(first);

      const { user } = await h.createUser();
      expectJson(await admin.client.patch(h.api(`/users/${user.id}`), { is_active: false }), 200);
      const after = await admin.client.get(h.api('/dashboard/stats'));
      expect(after.headers['x-cache']).to.equal('MISS');
      expect(after.body.inactive_users).to.equal(first.inactive_users + 1);
      expect(after.body.total_users).to.equal(first.total_users + 1);
      const refilled = await admin.client.get(h.api('/dashboard/stats'));
      expect(refilled.headers['x-cache']).to.equal('HIT');
      expect(refilled.body).to.deep.equal(after.body);
    });
  });

  describe('GET /metrics/database', () => {
    it('returns the pool figures, consistent with each other and the configured size', async () => {
      const metrics = expectJson<PoolMetrics>(await admin.client.get(h.api('/metrics/database')), 200);
      expect(Object.keys(metrics).sort()).to.deep.equal(
        ['checked_in', 'checked_out', 'overflow', 'pool_size', 'total_connections', 'waiting'],
      );
      for (const value of Object.values(metrics)) expect(Number.isInteger(value) && value >= 0).to.equal(true);
      expect(metrics.pool_size).to.equal(h.core.config.database.poolMax);
      expect(metrics.total_connections).to.equal(metrics.checked_in + metrics.checked_out);
    });
  });

  describe('exports', () => {
    it('GET /export/my-data returns the caller as a User', async () => {
      const me = await h.signIn();
      const body = expectJson<UserBody>(await me.client.get(h.api('/export/my-data')), 200);
      expectUserJson(body, h.core.fields.visible);
      expect(body.id).to.equal(me.user.id);
    });

    it('GET /export/users/json returns every user ordered by id', async () => {
      const body = expectJson<ExportBody>(await admin.client.get(h.api('/export/users/json')), 200);
      expectIsoUtc(body.exported_at);
      expect(body.total_users).to.equal(body.users.length);
      const { total } = await h.core.services.users.listUsers({ page: 1, size: 1 });
      expect(body.total_users).to.equal(total);
      body.users.forEach((user) => expectUserJson(user, h.core.fields.exported));
      const ids = body.users.map((user) => user.id);
      expect(ids).to.deep.equal([...ids].sort((a, b) => a - b));
    });

    it('GET /export/users/csv streams a CSV attachment: header, then one row per user by id', async () => {
      const res = await admin.client.get(h.api('/export/users/csv'));
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).to.match(/^attachment; filename="?users_export_\d{8}_\d{6}\.csv"?$/);
      const lines = res.text.split(/\r?\n/).filter((line) => line !== '');
      expect(lines[0].split(',')).to.deep.equal(h.core.fields.exported.map((field) => field.name));
      const { total } = await h.core.services.users.listUsers({ page: 1, size: 1 });
      expect(lines.length - 1).to.equal(total);
      const ids = lines.slice(1).map((line) => Number(line.split(',')[0]));
      expect(ids).to.deep.equal([...ids].sort((a, b) => a - b));
      expect(lines[1]).to.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/);
    });
  });

  describe('GET /api/v1/openapi.json', () => {
    it('is an OpenAPI 3.1 document naming every route', async () => {
      const doc = expectJson<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
        await h.client().get(h.api('/openapi.json')),
        200,
      );
      expect(doc.openapi).to.match(/^3\.1\./);
      for (const route of h.core.http.routes) {
        const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        expect(doc.paths[path], path).to.be.an('object');
        expect(doc.paths[path][route.method.toLowerCase()], `${route.method} ${path}`).to.be.an('object');
      }
    });
  });

  describe('GET /health', () => {
    it('answers 200 healthy with every check', async () => {
      const report = expectJson<HealthReport>(await h.client().get('/health'), 200);
      expect(report.status).to.equal('healthy');
      expect(report.app_name).to.equal(h.core.config.appName);
      expect(report.version).to.equal(h.core.config.appVersion);
      expect(report.checks.database).to.deep.equal({ status: 'healthy', provider: h.target.database.name });
      const backend = h.target.redisUrl ? 'redis' : 'memory';
      expect(report.checks.cache).to.deep.equal({ status: 'healthy', backend });
      expect(report.checks.rate_limiter).to.deep.equal({ status: 'healthy', backend });
    });
  });
}
