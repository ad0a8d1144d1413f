import { ConnectionRefusedError } from 'sequelize';
import { expect } from 'chai';
import { createUserFields } from '../../domain/user-fields';
import { makeSession, makeUser } from '../../services/service-fakes';
import { adminAuth, aliceAuth, createTestApi, jsonOf, textOf, type TestApi } from '../http-test-kit';

const at = new Date('2026-01-15T10:30:00.123Z');
const bob = makeUser({ id: 3, email: 'bob@example.com', username: 'bob', full_name: null, created_at: at, updated_at: at });
const bobJson = {
  id: 3,
  email: 'bob@example.com',
  username: 'bob',
  full_name: null,
  is_active: true,
  is_superuser: false,
  email_verified: false,
  created_at: '2026-01-15T10:30:00.123Z',
  updated_at: '2026-01-15T10:30:00.123Z',
};

async function* chunks(...parts: string[]) {
  for (const part of parts) yield part;
}

describe('HTTP routes', () => {
  let t: TestApi;
  beforeEach(() => {
    t = createTestApi();
  });
  afterEach(() => t.close());

  describe('the route table', () => {
    it('mounts every documented route once, under the prefix except /health and /metrics', () => {
      const table = t.api.routes.map((route) => `${route.method} ${route.path}`);
      expect(table).to.have.members([
        'GET /health',
        'GET /metrics',
        'GET /api/v1/openapi.json',
        'POST /api/v1/auth/register',
        'POST /api/v1/auth/login',
        'POST /api/v1/auth/refresh',
        'POST /api/v1/auth/logout',
        'POST /api/v1/auth/logout-all',
        'GET /api/v1/auth/me',
        'GET /api/v1/auth/sessions',
        'DELETE /api/v1/auth/sessions/:id',
        'POST /api/v1/auth/password-reset/request',
        'POST /api/v1/auth/password-reset/confirm',
        'POST /api/v1/auth/verify-email/request',
        'POST /api/v1/auth/verify-email/confirm',
        'POST /api/v1/auth/change-password',
        'GET /api/v1/users',
        'POST /api/v1/users',
        'POST /api/v1/users/bulk',
        'GET /api/v1/users/:id',
        'PATCH /api/v1/users/:id',
        'DELETE /api/v1/users/:id',
        'GET /api/v1/users/:id/sessions',
        'DELETE /api/v1/users/:id/sessions',
        'GET /api/v1/export/my-data',
        'GET /api/v1/export/users/json',
        'GET /api/v1/export/users/csv',
        'GET /api/v1/dashboard/stats',
        'GET /api/v1/dashboard/signups',
        'GET /api/v1/audit-events',
        'GET /api/v1/audit-events/export',
        'GET /api/v1/metrics/database',
        'GET /api/v1/dashboard',
        'GET /api/v1/dashboard/data-entry',
        'GET /api/v1/docs',
        'GET /api/v1/dashboard/assets/:file',
      ]);
      expect(new Set(t.api.routes.map((route) => route.id)).size).to.equal(t.api.routes.length);
    });

    it('follows a configured prefix', () => {
      const other = createTestApi({ apiPrefix: '/v2' });
      expect(other.api.prefix).to.equal('/v2');
      expect(other.api.routes.map((route) => route.path)).to.include('/v2/users/:id').and.include('/health');
      void other.close();
    });
  });

  describe('auth', () => {
    it('register hands the parsed body to the service as is (flags dropped) and answers 201 User', async () => {
      t.services.users.register.resolves(bob);
      const response = await t.call('auth.register', {
        json: { email: ' Bob@Example.com ', username: 'bob', password: 'long-enough-1', is_superuser: true },
      });
      expect(response.status).to.equal(201);
      expect(jsonOf(response)).to.deep.equal(bobJson);
      expect(t.services.users.register.firstCall.args[0]).to.deep.equal({
        email: 'bob@example.com',
        username: 'bob',
        password: 'long-enough-1',
      });
    });

    it('login hands the LoginRequest and the client to the service and returns a Token', async () => {
      t.services.auth.login.resolves({ accessToken: 'jwt', tokenType: 'bearer', expiresIn: 900, refreshToken: 'rt', refreshExpiresIn: 604800 } as never);
      const byEmail = await t.call('auth.login', {
        json: { email: 'alice@example.com', password: 'pw' },
        ip: '203.0.113.1',
        headers: { 'user-agent': 'curl/8' },
      });
      expect(byEmail.status).to.equal(200);
      expect(jsonOf(byEmail)).to.deep.equal({ access_token: 'jwt', token_type: 'bearer', expires_in: 900, refresh_token: 'rt', refresh_expires_in: 604800 });
      expect(byEmail.headers).to.not.have.property('Set-Cookie');
      expect(t.services.auth.login.firstCall.args).to.deep.equal([
        { email: 'alice@example.com', password: 'pw' },
        { ipAddress: '203.0.113.1', userAgent: 'curl/8' },
      ]);
      await t.call('auth.login', { json: { username: 'alice', password: 'pw' } });
      expect(t.services.auth.login.secondCall.args[0]).to.deep.equal({ username: 'alice', password: 'pw' });
    });

    it('logout and logout-all answer 204 with an empty body', async () => {
      const logout = await t.call('auth.logout', { token: 'user-token' });
      const all = await t.call('auth.logoutAll', { token: 'user-token' });
      expect([logout.status, all.status]).to.deep.equal([204, 204]);
      expect(logout.body.kind).to.equal('empty');
      expect(t.services.auth.logout.calledWith(aliceAuth)).to.equal(true);
      expect(t.services.auth.logoutAll.calledWith(aliceAuth)).to.equal(true);
    });

    it('lists sessions in the documented shape and revokes one by id', async () => {
      t.services.auth.listSessions.resolves([{ ...makeSession({ id: 10, created_at: at }), current: true }]);
      const list = await t.call('auth.sessions.list', { token: 'user-token' });
      expect(jsonOf(list)).to.deep.equal([
        {
          id: 10,
          created_at: '2026-01-15T10:30:00.123Z',
          expires_at: makeSession().expires_at.toISOString(),
          last_used_at: makeSession().last_used_at!.toISOString(),
          ip_address: '203.0.113.9',
          user_agent: 'test',
          current: true,
        },
      ]);
      const revoke = await t.call('auth.sessions.revoke', { token: 'user-token', params: { id: '11' } });
      expect(revoke.status).to.equal(204);
      expect(t.services.auth.revokeSession.calledWith(aliceAuth, 11)).to.equal(true);
    });
  });

  describe('users', () => {
    it('list hands the parsed query to the service and answers the page', async () => {
      t.services.users.listUsers.resolves({ items: [bob], total: 1, page: 2, size: 10, pages: 1 });
      const response = await t.call('users.list', {
        token: 'admin-token',
        query: { page: '2', size: '10', is_active: 'TRUE', search: '50%_off', sort_by: 'email', sort_order: 'asc' },
      });
      expect(jsonOf(response)).to.deep.equal({ items: [bobJson], total: 1, page: 2, size: 10, pages: 1 });
      expect(t.services.users.listUsers.firstCall.args[0]).to.deep.equal({
        page: 2,
        size: 10,
        is_active: true,
        search: '50%_off',
        sort_by: 'email',
        sort_order: 'asc',
      });
    });

    it('create passes the flags; bulk keeps input order', async () => {
      t.services.users.createUser.resolves(bob);
      const created = await t.call('users.create', {
        token: 'admin-token',
        json: { email: 'bob@example.com', username: 'bob', password: 'long-enough-1', is_superuser: true },
      });
      expect(created.status).to.equal(201);
      expect(t.services.users.createUser.firstCall.args[0]).to.include({ is_superuser: true }).and.not.have.property('is_active');
      expect(t.services.users.createUser.firstCall.args[1]).to.equal(adminAuth.user);

      t.services.users.bulkCreate.resolves([bob, { ...bob, id: 4 }]);
      const bulk = await t.call('users.bulkCreate', {
        token: 'admin-token',
        json: [
          { email: 'bob@example.com', username: 'bob', password: 'long-enough-1' },
          { email: 'carol@example.com', username: 'carol', password: 'long-enough-2', full_name: 'Carol' },
        ],
      });
      expect(bulk.status).to.equal(201);
      expect(jsonOf(bulk as never)).to.have.length(2);
      expect(t.services.users.bulkCreate.firstCall.args[0].map((input) => input.username)).to.deep.equal(['bob', 'carol']);
      expect(t.services.users.bulkCreate.firstCall.args[0][1]!.full_name).to.equal('Carol');
    });

    it('bulk refuses more than bulkMax items', async () => {
      const small = createTestApi({ bulkMax: 2 });
      const item = { email: 'bob@example.com', username: 'bob', password: 'long-enough-1' };
      const response = await small.call('users.bulkCreate', { token: 'admin-token', json: [item, item, item] });
      await small.close();
      expect(response.status).to.equal(422);
      expect(jsonOf(response).details[0].field).to.equal('body');
    });

    it('get passes the actor and the numeric id', async () => {
      t.services.users.getUser.resolves(bob);
      const response = await t.call('users.get', { token: 'user-token', params: { id: '3' } });
      expect(response.status).to.equal(200);
      expect(t.services.users.getUser.calledWith(aliceAuth.user, 3)).to.equal(true);
    });

    it('update sends only the keys given, keeps null full_name, and the current session id', async () => {
      t.services.users.updateUser.resolves(bob);
      const response = await t.call('users.update', {
        token: 'user-token',
        params: { id: '1' },
        json: { full_name: null, password: 'new-password-1' },
      });
      expect(response.status).to.equal(200);
      expect(t.services.users.updateUser.firstCall.args).to.deep.equal([
        aliceAuth.user,
        1,
        { full_name: null, password: 'new-password-1' },
        aliceAuth.session.id,
      ]);
    });

    it('delete answers 204', async () => {
      const response = await t.call('users.delete', { token: 'admin-token', params: { id: '3' } });
      expect(response.status).to.equal(204);
      expect(t.services.users.deleteUser.calledWith(adminAuth.user, 3)).to.equal(true);
    });
  });

  describe('export', () => {
    it('my-data answers the caller’s own user object', async () => {
      const response = await t.call('export.myData', { token: 'user-token' });
      expect(jsonOf(response)).to.deep.equal(createUserFields().project(aliceAuth.user));
      expect(jsonOf(response)).to.include({ id: 1, username: 'alice', created_at: '2026-01-15T10:30:00.000Z' });
    });

    it('streams the CSV with its media type and a timestamped attachment name', async () => {
      t.services.export.csv.returns(chunks('id,email\r\n', '3,bob@example.com\r\n'));
      const response = await t.call('export.usersCsv', { token: 'admin-token' });
      expect(response.status).to.equal(200);
      expect(response.headers['Content-Type']).to.equal('text/csv; charset=utf-8');
      expect(response.headers['Content-Disposition']).to.match(/^attachment; filename=users_export_\d{8}_\d{6}\.csv$/);
      expect(await textOf(response)).to.equal('id,email\r\n3,bob@example.com\r\n');
    });

    it('streams the JSON export', async () => {
      t.services.export.json.returns(chunks('{"exported_at":"x","total_users":0,', '"users":[]}'));
      const response = await t.call('export.usersJson', { token: 'admin-token' });
      expect(response.headers['Content-Type']).to.equal('application/json; charset=utf-8');
      expect(JSON.parse(await textOf(response))).to.deep.equal({ exported_at: 'x', total_users: 0, users: [] });
    });

    it('turns a stream that fails before its first chunk into an error envelope', async () => {
      t.services.export.json.returns(
        (async function* () {
          throw new ConnectionRefusedError(Object.assign(new Error('no db'), { code: 'ECONNREFUSED' }));
        })(),
      );
      const response = await t.call('export.usersJson', { token: 'admin-token' });
      expect(response.status).to.equal(503);
      expect(jsonOf(response).error).to.equal('service_unavailable');
    });
  });

  describe('dashboard, metrics, health', () => {
    it('dashboard reports the service’s cache state in X-Cache', async () => {
      const stats = { total_users: 1, active_users: 1, inactive_users: 0, superusers: 0, new_users_today: 1, new_users_week: 1, timestamp: at.toISOString() };
      t.services.dashboard.getStats.resolves({ stats, cached: true });
      const hit = await t.call('dashboard.stats', { token: 'admin-token' });
      expect(jsonOf(hit)).to.deep.equal(stats);
      expect(hit.headers['X-Cache']).to.equal('HIT');
      t.services.dashboard.getStats.resolves({ stats, cached: false });
      expect((await t.call('dashboard.stats', { token: 'admin-token' })).headers['X-Cache']).to.equal('MISS');
    });

    it('metrics answers the pool figures', async () => {
      const metrics = { pool_size: 10, checked_in: 1, checked_out: 0, waiting: 0, overflow: 0, total_connections: 1 };
      t.services.metrics.getPoolMetrics.resolves(metrics);
      expect(jsonOf(await t.call('metrics.database', { token: 'admin-token' }))).to.deep.equal(metrics);
    });

    it('health answers 200 when healthy or degraded and 503 when unhealthy', async () => {
      const report = (status: 'healthy' | 'degraded' | 'unhealthy') => ({
        status,
        app_name: 'Backend API',
        version: '1',
        checks: {
          database: { status: 'healthy' as const, provider: 'sqlite' as const },
          cache: { status: 'healthy' as const, backend: 'memory' as const },
          rate_limiter: { status: 'healthy' as const, backend: 'memory' as const },
        },
      });
      for (const [status, code] of [['healthy', 200], ['degraded', 200], ['unhealthy', 503]] as const) {
        t.services.health.check.resolves(report(status));
        const response = await t.call('system.health');
        expect(response.status).to.equal(code);
        expect(jsonOf(response).status).to.equal(status);
      }
    });
  });
});
