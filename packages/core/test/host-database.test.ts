import { expect } from 'chai';
import { QueryTypes, Sequelize } from 'sequelize';
import type { CoreOptions } from '../src/config/options';
import type { Core } from '../src/core';
import { createCore } from '../src/create-core';
import { silentLogger } from '../src/logger/logger';
import { testDatabaseTargets, type TestDatabase } from '../src/testing/test-databases';

/** A host database that already has its own `users` table, with other columns and an index name the core also uses. */
async function createHostTables(url: string): Promise<void> {
  const host = url.startsWith('sqlite:')
    ? new Sequelize({ dialect: 'sqlite', storage: url.slice('sqlite:'.length), logging: false })
    : new Sequelize(url, { logging: false });
  try {
    await host.query('CREATE TABLE users (id INTEGER PRIMARY KEY, display_name VARCHAR(80) NOT NULL, tenant VARCHAR(20))');
    // SQLite index names are global to the file: the core's must not collide with this one.
    await host.query('CREATE UNIQUE INDEX users_email_unique ON users (display_name)');
    await host.query("INSERT INTO users (id, display_name, tenant) VALUES (1, 'host row', 'acme')");
  } finally {
    await host.close();
  }
}

/** Register → login → authenticate → list/search → stats → logout → purge, through the services. */
async function roundTrip(core: Core): Promise<void> {
  const user = await core.services.users.register({ email: 'Ada@Example.com', username: 'ada', password: 'correct horse battery' });
  expect(user.email).to.equal('ada@example.com');
  const login = await core.services.auth.login({ username: 'ada', password: 'correct horse battery' });
  const auth = await core.services.auth.authenticate(login.accessToken);
  expect(auth.user.id).to.equal(user.id);
  const page = await core.services.users.listUsers({ search: 'ADA', page: 1, size: 10, sortBy: 'created_at', sortOrder: 'desc' });
  expect(page.items.map((item) => item.username)).to.deep.equal(['ada']);
  const stats = await core.services.dashboard.computeStats();
  expect(stats).to.include({ total_users: 1, active_users: 1 });
  await core.services.auth.logout(auth);
  const refused = await core.services.auth.authenticate(login.accessToken).then(
    () => null,
    (error: unknown) => error,
  );
  expect(refused, 'the token after logout').to.be.instanceOf(Error);
  expect(await core.maintenance.purgeExpiredSessions()).to.equal(1);
}

async function hostRows(url: string): Promise<unknown[]> {
  const host = url.startsWith('sqlite:')
    ? new Sequelize({ dialect: 'sqlite', storage: url.slice('sqlite:'.length), logging: false })
    : new Sequelize(url, { logging: false });
  try {
    return await host.query('SELECT id, display_name, tenant FROM users', { type: QueryTypes.SELECT });
  } finally {
    await host.close();
  }
}

const base: CoreOptions = { environment: 'test', bcryptRounds: 4, migrate: true, sessionPurgeIntervalMinutes: 0, logger: silentLogger };

for (const target of testDatabaseTargets()) {
  const layouts: Array<{ name: string; database: { tablePrefix?: string; schema?: string }; users: string }> = [
    { name: 'tablePrefix auth_', database: { tablePrefix: 'auth_' }, users: 'auth_users' },
  ];
  if (target.name === 'postgres') layouts.push({ name: 'schema identity', database: { schema: 'identity' }, users: 'identity.users' });

  for (const layout of layouts) {
    describe(`createCore beside a host's own users table (${target.name}, ${layout.name})`, function () {
      this.timeout(60_000);
      let db: TestDatabase;
      let core: Core | undefined;

      before(async () => {
        db = await target.create();
        await createHostTables(db.url);
        core = await createCore({ ...base, database: { url: db.url, ...layout.database } });
      });

      after(async () => {
        await core?.close();
        await db?.drop();
      });

      it('migrates its tables beside the host table and serves a register/login round trip', async () => {
        expect(await core!.migrator.status()).to.deep.include({ pending: [] });
        await roundTrip(core!);
      });

      it(`keeps its users in ${layout.users} and leaves the host's table alone`, async () => {
        expect(await hostRows(db.url)).to.deep.equal([{ id: 1, display_name: 'host row', tenant: 'acme' }]);
        const [schema, table] = layout.users.includes('.') ? layout.users.split('.') : [undefined, layout.users];
        const counted = await countRows(db.url, schema ? `"${schema}"."${table}"` : `"${table}"`);
        expect(counted).to.equal(1);
      });

      it('migrates again with nothing to do, and reverts only its own tables', async () => {
        expect(await core!.migrator.up()).to.deep.equal([]);
        await core!.migrator.down({ to: 0 });
        expect(await hostRows(db.url)).to.have.length(1);
        expect((await core!.migrator.up()).length).to.be.greaterThan(2);
      });
    });
  }
}

async function countRows(url: string, table: string): Promise<number> {
  const host = url.startsWith('sqlite:')
    ? new Sequelize({ dialect: 'sqlite', storage: url.slice('sqlite:'.length), logging: false })
    : new Sequelize(url, { logging: false });
  try {
    const rows = await host.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`, { type: QueryTypes.SELECT });
    return Number(rows[0]!.n);
  } finally {
    await host.close();
  }
}
