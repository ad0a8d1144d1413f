import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { MemoryCache } from './cache/memory-cache';
import type { Core } from './core';
import { createCore } from './create-core';
import type { UserFieldDefinitions } from './domain/user-fields';
import { AppError, isAppError } from './errors/app-error';
import type { CoreEvents, CoreHooks } from './events/core-events';
import { buildRequest, dispatchOwn, jsonOf } from './http/http-test-kit';
import { silentLogger } from './logger/logger';
import { openDatabaseFixture } from './testing/database-fixture';
import { createMemoryLogger } from './testing/memory-logger';
import { testDatabaseTargets, type TestDatabase } from './testing/test-databases';

const hostFields = {
  tenant_id: { type: 'string', maxLength: 64, nullable: true, setBy: ['admin'], filterable: true, sortable: true, searchable: true },
  internal_note: { type: 'text', nullable: true, setBy: ['admin'], visible: false },
} as const satisfies UserFieldDefinitions;

/** A migrated database with the host's two columns and a table of its own, as a host migration would leave it. */
async function hostDatabase(database: TestDatabase): Promise<void> {
  const fixture = await openDatabaseFixture(database.url, { logger: silentLogger });
  try {
    await fixture.sequelize.query('ALTER TABLE users ADD COLUMN tenant_id VARCHAR(64)');
    await fixture.sequelize.query('ALTER TABLE users ADD COLUMN internal_note TEXT');
    await fixture.sequelize.query('CREATE TABLE host_welcome (user_id INTEGER NOT NULL)');
  } finally {
    await fixture.close();
  }
}

const superuser = { email: 'root@example.com', username: 'root', password: 'root-password-1' };

for (const target of testDatabaseTargets()) {
  describe(`createCore extension seams (${target.name})`, function () {
    this.timeout(30_000);
    let database: TestDatabase;
    let core: Core;
    let admin: Awaited<ReturnType<Core['services']['users']['createUser']>>;
    const cache = new MemoryCache();
    const logger = createMemoryLogger();
    const committed: Array<CoreEvents['user.created']> = [];

    const hooks: CoreHooks = {
      'user.created': async ({ user }, context) => {
        // The hook's own write shares the change's transaction, so a veto undoes it too.
        await context.query('INSERT INTO host_welcome (user_id) VALUES (:id)', { id: user.id });
        if (user.email.endsWith('@blocked.example')) {
          throw new AppError('authorization_error', 'Registrations from this domain are closed');
        }
      },
    };

    before(async () => {
      database = await target.create();
      await hostDatabase(database);
      core = await createCore({
        environment: 'test',
        database: { url: database.url },
        bcryptRounds: 4,
        migrate: true,
        logger,
        cache,
        user: { fields: hostFields },
        hooks,
      });
      core.events.on('user.created', (payload) => void committed.push(payload));
      admin = (await core.services.users.ensureSuperuser(superuser)).user;
    });

    after(async () => {
      await core?.close();
      await database?.drop();
      await cache.close();
    });

    const count = async (sql: string) => {
      const fixture = await openDatabaseFixture(database.url, { migrate: false, logger: silentLogger });
      try {
        const rows = await fixture.sequelize.query<{ n: number | string }>(sql, { type: QueryTypes.SELECT });
        return Number(rows[0]!.n);
      } finally {
        await fixture.close();
      }
    };

    describe('a host field', () => {
      it('is set only by whom it allows, read back, filtered, sorted, searched and exported', async () => {
        const registered = await core.services.users.register({ email: 'reg@example.com', username: 'reg', password: 'pw-123456', tenant_id: 'ignored' } as never);
        expect((registered as unknown as Record<string, unknown>).tenant_id, 'registration may not set it').to.equal(null);
        const acme = await core.services.users.createUser(
          { email: 'a@acme.example', username: 'acme_a', password: 'pw-123456', tenant_id: 'acme', internal_note: 'vip' } as never,
          admin,
        );
        await core.services.users.createUser({ email: 'b@other.example', username: 'other_b', password: 'pw-123456', tenant_id: 'other' } as never, admin);
        expect(acme).to.include({ tenant_id: 'acme', internal_note: 'vip' });

        const byTenant = await core.services.users.listUsers({ tenant_id: 'acme' });
        expect(byTenant.items.map((user) => user.username)).to.deep.equal(['acme_a']);
        const sorted = await core.services.users.listUsers({ search: 'example', sort_by: 'tenant_id', sort_order: 'asc' });
        expect(sorted.items.map((user) => (user as unknown as Record<string, unknown>).tenant_id).filter(Boolean)).to.deep.equal(['acme', 'other']);
        expect((await core.services.users.listUsers({ search: 'ACM' })).items.map((user) => user.username)).to.deep.equal(['acme_a']);

        let csv = '';
        for await (const chunk of core.services.export.csv()) csv += chunk;
        const [header, ...rows] = csv.trim().split('\r\n');
        expect(header!.split(',').slice(-1)).to.deep.equal(['tenant_id']);
        expect(rows.find((row) => row.includes('acme_a'))!.split(',').at(-1)).to.equal('acme');
        expect(csv, 'a hidden field is not exported').to.not.include('vip');
      });

      it('is in the User body, the query and the OpenAPI document; a hidden one is in none', async () => {
        const { accessToken } = await core.services.auth.login({ username: superuser.username, password: superuser.password });
        const response = await dispatchOwn(core.http, 
          buildRequest({ method: 'GET', path: '/api/v1/users', token: accessToken, query: { tenant_id: 'acme' } }),
        );
        const page = jsonOf(response);
        expect(page.items).to.have.length(1);
        expect(page.items[0]).to.include({ tenant_id: 'acme' }).and.not.have.property('internal_note');
        type Operation = { parameters?: Array<{ name: string }>; requestBody?: unknown; responses: Record<string, unknown> };
        const doc = core.http.openapi() as { paths: Record<string, Record<string, Operation>> };
        const users = doc.paths['/api/v1/users']!;
        expect(users.get!.parameters!.map((parameter) => parameter.name)).to.include('tenant_id');
        // Hidden from every response, still an input an admin may set.
        expect(JSON.stringify(users.get!.responses)).to.include('"tenant_id"').and.not.include('internal_note');
        expect(JSON.stringify(users.post!.requestBody)).to.include('"internal_note"');
      });

      it('answers a normal user setting an admin-only field with 403 naming it', async () => {
        const user = await core.services.users.register({ email: 'self@example.com', username: 'selfie', password: 'pw-123456' });
        const error = await core.services.users.updateUser(user, user.id, { tenant_id: 'acme' } as never).catch((caught: unknown) => caught);
        expect(isAppError(error) && [error.code, error.message]).to.deep.equal(['authorization_error', 'Only a superuser may change tenant_id']);
      });
    });

    describe('hooks and events', () => {
      it('a veto rolls back the user and the hook’s own write; no event is delivered', async () => {
        const welcomedBefore = await count('SELECT COUNT(*) AS n FROM host_welcome');
        const deliveredBefore = committed.length;
        const error = await core.services.users
          .register({ email: 'x@blocked.example', username: 'blocked', password: 'pw-123456' })
          .catch((caught: unknown) => caught);
        expect(isAppError(error) && error.code).to.equal('authorization_error');
        expect(await count("SELECT COUNT(*) AS n FROM users WHERE username = 'blocked'")).to.equal(0);
        expect(await count('SELECT COUNT(*) AS n FROM host_welcome')).to.equal(welcomedBefore);
        expect(committed.length).to.equal(deliveredBefore);
      });

      it('a committed change keeps the hook’s write and delivers the event once', async () => {
        const welcomedBefore = await count('SELECT COUNT(*) AS n FROM host_welcome');
        const user = await core.services.users.register({ email: 'ok@example.com', username: 'welcomed', password: 'pw-123456' });
        expect(await count('SELECT COUNT(*) AS n FROM host_welcome')).to.equal(welcomedBefore + 1);
        expect(committed.filter((event) => event.user.id === user.id).map((event) => event.source)).to.deep.equal(['register']);
      });

      it('a veto over HTTP answers the hook’s AppError in the envelope', async () => {
        const response = await dispatchOwn(core.http, 
          buildRequest({
            method: 'POST',
            path: '/api/v1/auth/register',
            json: { email: 'y@blocked.example', username: 'blocked2', password: 'pw-123456' },
          }),
        );
        expect(response.status).to.equal(403);
        expect(jsonOf(response)).to.include({ error: 'authorization_error', message: 'Registrations from this domain are closed' });
      });
    });

    describe('ports by instance', () => {
      it('uses the host’s cache and leaves it open after close()', async () => {
        await core.services.dashboard.getStats();
        expect((await cache.getVersioned('dashboard:stats', ['dashboard'])).value).to.have.property('total_users');
        const other = await createCore({ environment: 'test', database: { url: database.url }, cache, logger: silentLogger });
        await other.close();
        await cache.set('still-open', 1, 60);
        expect(await cache.get('still-open')).to.equal(1);
      });

      it('hashes with the host’s hasher and logs an unexpected failure as structured fields', async () => {
        const failing = createMemoryLogger();
        const hasher = {
          hash: async () => {
            throw new Error('hardware security module offline');
          },
          verify: async () => false,
          verifyDummy: async () => false as const,
          needsRehash: () => false,
          close: async () => undefined,
        };
        const other = await createCore({ environment: 'test', database: { url: database.url }, passwordHasher: hasher, logger: failing });
        try {
          const response = await dispatchOwn(other.http, 
            buildRequest({
              method: 'POST',
              path: '/api/v1/auth/register',
              headers: { 'x-request-id': 'req-hsm' },
              json: { email: 'hsm@example.com', username: 'hsm', password: 'pw-123456' },
            }),
          );
          expect(response.status).to.equal(500);
          expect(JSON.stringify(jsonOf(response))).to.not.include('hardware');
          const line = failing.lines.find((entry) => entry.level === 'error')!;
          expect(line.fields).to.include({ request_id: 'req-hsm', code: 'internal_server_error' });
          expect((line.fields.err as Error).message).to.equal('hardware security module offline');
        } finally {
          await other.close();
        }
      });
    });
  });
}
