import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { Sequelize } from 'sequelize';
import type { Core } from '@app/core';
import { loggerContract, testDatabaseTargets, waitFor, type TestDatabase } from '@app/core/testing';
import { createHostApp } from '../src/app';
import { createHostLogger } from '../src/logger';

const PASSWORD = 'Tenant-pass-2026!';
const SUPERUSER = { email: 'root@host.example', username: 'root', password: PASSWORD };

/** One JSON request to the running app; the body parsed when the answer is JSON. */
async function call(base: string, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  const json = res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, body: json };
}

// #region logger-contract
// The host's logger passes the contract the core's own loggers pass.
loggerContract("the host app's pino logger", () => createHostLogger(new Writable({ write: (_chunk, _encoding, done) => done() })).coreLogger);
// #endregion logger-contract

for (const target of testDatabaseTargets()) {
  describe(`the example host app (${target.name}, over HTTP)`, function () {
    this.timeout(60_000);
    let db: TestDatabase;
    let hostDb: Sequelize;
    let core: Core | undefined;
    let server: Server | undefined;
    let base = '';
    const logLines: Array<Record<string, unknown>> = [];

    const register = (body: Record<string, unknown>) => call(base, 'POST', '/auth/api/v1/auth/register', { body: { password: PASSWORD, ...body } });
    const login = async (username: string) => {
      const res = await call(base, 'POST', '/auth/api/v1/auth/login', { body: { username, password: PASSWORD } });
      expect(res.status, `login of ${username}`).to.equal(200);
      return res.body.access_token as string;
    };

    before(async () => {
      db = await target.create();
      // The database already holds the host's own `users` table, as an existing service's would.
      hostDb = new Sequelize(db.url, { logging: false });
      await hostDb.query('CREATE TABLE users (id INTEGER PRIMARY KEY, display_name VARCHAR(100) NOT NULL)');
      await hostDb.query("INSERT INTO users (id, display_name) VALUES (1, 'A row of the host')");
      const sink = new Writable({
        write(chunk, _encoding, done) {
          for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
          done();
        },
      });
      const built = await createHostApp({
        core: {
          environment: 'test',
          bcryptRounds: 4,
          database: { url: db.url },
          firstSuperuser: SUPERUSER,
          // The test registers more users from one IP than the default 5 an hour allow.
          rateLimits: { 'auth.register': { limit: 100, windowMs: 3_600_000 } },
        },
        logger: createHostLogger(sink).coreLogger,
        blockedDomains: ['spam.example'],
      });
      core = built.core;
      server = built.app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server!.once('listening', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    after(async () => {
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
      await core?.close();
      await hostDb?.close();
      await db?.drop();
    });

    it("runs its migration in the core's run and logs through its own pino logger", async () => {
      const status = await core!.migrator.status();
      expect(status.executed.at(-1)).to.equal('host-0001-add-tenant-id');
      expect(status.pending).to.deep.equal([]);
      const line = logLines.find((entry) => entry.msg === 'Migration host-0001-add-tenant-id migrated');
      expect(line, 'the core logged the host migration as a pino JSON line').to.include({ level: 30, name: 'host-app', component: 'auth' });
    });

    it('keeps its own users table untouched beside the core’s auth_users', async () => {
      expect((await register({ email: 'ann@acme.example', username: 'ann', tenant_id: 'acme' })).status).to.equal(201);
      const [own] = await hostDb.query('SELECT display_name FROM users');
      expect(own).to.deep.equal([{ display_name: 'A row of the host' }]);
      const [core] = await hostDb.query("SELECT email, tenant_id FROM auth_users WHERE username = 'ann'");
      expect(core).to.deep.equal([{ email: 'ann@acme.example', tenant_id: 'acme' }]);
    });

    it('takes tenant_id at registration and answers it in the User', async () => {
      const res = await register({ email: 'bob@acme.example', username: 'bob', full_name: 'Bob B', tenant_id: 'acme' });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ username: 'bob', tenant_id: 'acme' });
      const loner = await register({ email: 'lou@solo.example', username: 'lou' });
      expect(loner.body).to.include({ username: 'lou', tenant_id: null });
    });

    it('vetoes a registration from a blocked domain in its hook: 422 naming body.email, and no row', async () => {
      const res = await register({ email: 'eve@spam.example', username: 'eve', tenant_id: 'acme' });
      expect(res.status).to.equal(422);
      expect(res.body).to.include({ error: 'validation_error', message: 'Registration is not open to this email domain' });
      expect(res.body.details).to.deep.equal([{ type: 'blocked_domain', field: 'body.email', message: 'Addresses at spam.example cannot register' }]);
      expect(res.body.request_id).to.be.a('string');
      // The hook ran after the insert: the row was rolled back, so the username is free again.
      const retry = await register({ email: 'eve@ok.example', username: 'eve' });
      expect(retry.status).to.equal(201);
      // Its listener runs after commit only: the retry is announced, the vetoed attempt never was.
      const announced = () => logLines.filter((entry) => entry.msg === 'user created' && entry.username === 'eve');
      await waitFor(() => announced().length > 0, { message: "the listener's line for the retry" });
      expect(announced().map(({ tenant_id, source }) => ({ tenant_id, source }))).to.deep.equal([{ tenant_id: null, source: 'register' }]);
    });

    it('lets a superuser filter the user list by tenant_id (the field registry’s filter)', async () => {
      await register({ email: 'cat@globex.example', username: 'cat', tenant_id: 'globex' });
      const token = await login(SUPERUSER.username);
      const res = await call(base, 'GET', '/auth/api/v1/users?tenant_id=acme&sort_by=username&sort_order=asc', { token });
      expect(res.status).to.equal(200);
      expect(res.body.items.map((user: { username: string }) => user.username)).to.deep.equal(['ann', 'bob']);
      const globex = await call(base, 'GET', '/auth/api/v1/users?tenant_id=globex', { token });
      expect(globex.body.items.map((user: { username: string }) => user.username)).to.deep.equal(['cat']);
    });

    it('guards its own /dashboard with the core: 401 envelope without a token, the typed user with one', async () => {
      const anonymous = await call(base, 'GET', '/dashboard');
      expect(anonymous.status).to.equal(401);
      expect(anonymous.body.error).to.equal('authentication_error');
      expect(anonymous.headers.get('www-authenticate')).to.equal('Bearer');
      const res = await call(base, 'GET', '/dashboard', { token: await login('bob') });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ greeting: 'Hello, Bob B', tenant_id: 'acme' });
    });

    it('serves its defineRoute route in the API: the members of the caller’s tenant only', async () => {
      const token = await login('ann');
      const res = await call(base, 'GET', '/auth/api/v1/tenant/members', { token });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({
        tenant_id: 'acme',
        total: 2,
        members: [
          { id: res.body.members[0].id, username: 'ann', full_name: null },
          { id: res.body.members[1].id, username: 'bob', full_name: 'Bob B' },
        ],
      });
      const bad = await call(base, 'GET', '/auth/api/v1/tenant/members?size=500', { token });
      expect(bad.status).to.equal(422);
      expect(bad.body.details.map((detail: { field: string }) => detail.field)).to.deep.equal(['query.size']);
      const none = await call(base, 'GET', '/auth/api/v1/tenant/members', { token: await login('lou') });
      expect([none.status, none.body.error, none.body.message]).to.deep.equal([404, 'not_found_error', 'Your account belongs to no tenant']);
      expect((await call(base, 'GET', '/auth/api/v1/tenant/members')).status).to.equal(401);
    });

    it('serves the API under /auth: health, 405, and an OpenAPI document naming the mount and the host’s parts', async () => {
      expect((await call(base, 'GET', '/auth/health')).body.status).to.equal('healthy');
      const put = await call(base, 'PUT', '/auth/api/v1/users/1');
      expect([put.status, put.body.error]).to.deep.equal([405, 'method_not_allowed']);
      const doc = (await call(base, 'GET', '/auth/api/v1/openapi.json')).body;
      expect(doc.servers).to.deep.equal([{ url: '/auth' }]);
      expect(doc.paths['/api/v1/tenant/members'].get.summary).to.equal("The members of the caller's tenant");
      const filters = doc.paths['/api/v1/users'].get.parameters.map((parameter: { name: string }) => parameter.name);
      expect(filters).to.include('tenant_id');
    });
  });
}
