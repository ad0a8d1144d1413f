import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { UserListQuery } from '../../domain/types';
import { silentLogger } from '../../logger/logger';
import { createMigrator } from '../migrator';
import type { Migration } from './migration';
import { trigramSearchIndexes } from './0007-search-trigram-indexes';
import { openDatabaseFixture, type DatabaseFixture } from '../../testing/database-fixture';
import { createMemoryLogger } from '../../testing/memory-logger';
import { testDatabaseTargets, type TestDatabase } from '../../testing/test-databases';

const search = (text: string): UserListQuery => ({ page: 1, size: 50, sort_by: 'username', sort_order: 'asc', search: text });

/** The seeded users a search for "quokka" finds, in code-point order (the databases' collations differ). */
const QUOKKAS = ['QuokkaFan', 'bo', 'pct', 'zed'];

/** Names of the trigram (GIN gin_trgm_ops) indexes of `schema`.`table`, sorted. */
async function trigramIndexes(sequelize: Sequelize, table: string, schema = 'public'): Promise<string[]> {
  const rows = await sequelize.query<{ name: string }>(
    `SELECT indexname AS name FROM pg_indexes WHERE schemaname = :schema AND tablename = :table AND indexdef LIKE '%gin_trgm_ops%' ORDER BY 1`,
    { type: QueryTypes.SELECT, replacements: { schema, table } },
  );
  return rows.map((row) => row.name);
}

/** Users whose names only a case-insensitive substring search over each column finds. */
async function seedSearchable(fx: DatabaseFixture): Promise<void> {
  await fx.users.bulkCreate([
    ...Array.from({ length: 60 }, (_, i) => ({ email: `filler${i}@example.com`, username: `filler${i}`, hashed_password: 'h' })),
    { email: 'zed@quokkamail.org', username: 'zed', hashed_password: 'h' },
    { email: 'amy@example.com', username: 'QuokkaFan', hashed_password: 'h' },
    { email: 'bo@example.com', username: 'bo', full_name: 'Bo Quokkason', hashed_password: 'h' },
    { email: 'pct@example.com', username: 'pct', full_name: '100%_quokka', hashed_password: 'h' },
  ]);
}

/** `url` with another user name: the same server and database, another role. */
function asRole(url: string, role: string): string {
  const parsed = new URL(url);
  parsed.username = role;
  parsed.password = '';
  return parsed.toString();
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('trigramSearchIndexes', () => {
  it('refuses a name that is not a field name, before any SQL could see it', () => {
    expect(() => trigramSearchIndexes('host-x', ['nick name'])).to.throw('"nick name" is not a field name');
    expect(() => trigramSearchIndexes('host-x', ['x"; DROP TABLE users; --'])).to.throw('is not a field name');
  });
});

for (const target of testDatabaseTargets()) {
  describe(`migration 0007-search-trigram-indexes (${target.name})`, () => {
    let db: TestDatabase;
    let fx: DatabaseFixture;
    const logger = createMemoryLogger();
    before(async () => {
      db = await target.create();
      fx = await openDatabaseFixture(db.url, { logger });
      await seedSearchable(fx);
    });
    after(async () => {
      await fx?.close();
      await db?.drop();
    });

    if (target.name === 'sqlite') {
      it('is recorded and changes nothing: SQLite has no trigram indexes, search scans', async () => {
        expect((await fx.migrator.status()).executed).to.include('0007-search-trigram-indexes');
        const rows = await fx.sequelize.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%trgm%'", {
          type: QueryTypes.SELECT,
        });
        expect(rows).to.deep.equal([]);
        expect(logger.messages('warn')).to.deep.equal([]);
        expect((await fx.users.list(search('QUOKKA'))).items.map((u) => u.username).sort()).to.deep.equal(QUOKKAS);
      });
      return;
    }

    it('creates the extension and one GIN trigram index per searchable field of the registry', async () => {
      expect(await trigramIndexes(fx.sequelize, 'users')).to.deep.equal(
        fx.fields.searchable.map((field) => `users_${field.name}_trgm`).sort(),
      );
      expect(logger.messages('warn')).to.deep.equal([]);
    });

    it('serves the list search from those indexes, with the same results as a scan', async () => {
      // With plain and sequential scans priced out, only an index that can answer
      // `column ILIKE '%term%'` keeps the plan off a disabled node.
      await adminQuery(db.url, `ALTER DATABASE "${new URL(db.url).pathname.slice(1)}" SET enable_seqscan = off`);
      await adminQuery(db.url, `ALTER DATABASE "${new URL(db.url).pathname.slice(1)}" SET enable_indexscan = off`);
      const forced = await openDatabaseFixture(db.url, { migrate: false });
      try {
        const statements: string[] = [];
        forced.sequelize.addHook('afterQuery', 'capture', (_options, query) => void statements.push((query as unknown as { sql: string }).sql));
        const page = await forced.users.list(search('QUOKKA'));
        expect(page.items.map((u) => u.username).sort()).to.deep.equal(QUOKKAS);
        expect(page.total).to.equal(4);
        expect((await forced.users.list(search('0%_q'))).items.map((u) => u.username)).to.deep.equal(['pct']);
        const select = statements.find((sql) => /ORDER BY/i.test(sql) && /ILIKE/.test(sql));
        expect(select, 'the page query').to.be.a('string');
        const rows = await forced.sequelize.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${select!.replace(/;\s*$/, '')}`, { type: QueryTypes.SELECT });
        const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
        for (const field of forced.fields.searchable) expect(plan, plan).to.include(`Bitmap Index Scan on users_${field.name}_trgm`);
        expect(plan, plan).to.not.match(/Seq Scan/);
      } finally {
        await forced.close();
      }
    });

    it('drops its indexes on down and recreates them on up', async () => {
      expect(await fx.migrator.down()).to.deep.equal(['0007-search-trigram-indexes']);
      expect(await trigramIndexes(fx.sequelize, 'users')).to.deep.equal([]);
      expect(await fx.migrator.up()).to.deep.equal(['0007-search-trigram-indexes']);
      expect(await trigramIndexes(fx.sequelize, 'users')).to.have.length(fx.fields.searchable.length);
    });

    it('indexes a host searchable field through trigramSearchIndexes in a host migration', async () => {
      const addNickname: Migration = {
        name: 'host-0001-add-nickname',
        up: ({ queryInterface, transaction, tables }) =>
          queryInterface.addColumn(tables.users, 'nickname', { type: 'VARCHAR(50)', allowNull: true }, { transaction }),
        down: async ({ queryInterface, transaction, tables }) => {
          await queryInterface.sequelize.query(`ALTER TABLE ${tables.sql(tables.users)} DROP COLUMN nickname`, { transaction });
        },
      };
      const hostMigrations = [addNickname, trigramSearchIndexes('host-0002-nickname-trgm', ['nickname'])];
      const migrator = createMigrator(fx.sequelize, silentLogger, { tables: fx.tables, hostMigrations });
      expect(await migrator.up()).to.deep.equal(['host-0001-add-nickname', 'host-0002-nickname-trgm']);
      expect(await trigramIndexes(fx.sequelize, 'users')).to.include('users_nickname_trgm');
      expect(await migrator.down({ to: 'host-0001-add-nickname' })).to.deep.equal(['host-0002-nickname-trgm', 'host-0001-add-nickname']);
      expect(await trigramIndexes(fx.sequelize, 'users')).to.not.include('users_nickname_trgm');
    });

    it('names its indexes with the table prefix, in the configured schema', async () => {
      const other = await target.create();
      const prefixed = await openDatabaseFixture(other.url, { tables: { tablePrefix: 'auth_', schema: 'identity' } });
      try {
        expect(await trigramIndexes(prefixed.sequelize, 'auth_users', 'identity')).to.deep.equal([
          'auth_users_email_trgm',
          'auth_users_full_name_trgm',
          'auth_users_username_trgm',
        ]);
        await seedSearchable(prefixed);
        expect((await prefixed.users.list(search('quokka'))).total).to.equal(4);
        expect(await prefixed.migrator.down()).to.deep.equal(['0007-search-trigram-indexes']);
        expect(await trigramIndexes(prefixed.sequelize, 'auth_users', 'identity')).to.deep.equal([]);
      } finally {
        await prefixed.close();
        await other.drop();
      }
    });

    describe('for a role that may not create the extension', () => {
      const role = `app_t_role_${randomBytes(4).toString('hex')}`;
      const roleLogger = createMemoryLogger();
      let limited: TestDatabase;
      let roleFx: DatabaseFixture | undefined;
      before(async () => {
        limited = await target.create();
        // It may create tables in public (its migrations need that) but not extensions:
        // a trusted extension needs CREATE on the database, which PUBLIC does not have.
        await adminQuery(db.url, `CREATE ROLE ${role} LOGIN`);
        await adminQuery(limited.url, `GRANT CREATE ON SCHEMA public TO ${role}`);
        roleFx = await openDatabaseFixture(asRole(limited.url, role), { logger: roleLogger });
      });
      after(async () => {
        await roleFx?.close();
        await limited?.drop();
        await adminQuery(db.url, `DROP ROLE IF EXISTS ${role}`);
      });

      it('still succeeds, logs one line saying so, and search works by scan', async () => {
        expect((await roleFx!.migrator.status()).executed).to.include('0007-search-trigram-indexes');
        const warnings = roleLogger.messages('warn');
        expect(warnings, warnings.join('\n')).to.have.length(1);
        expect(warnings[0]).to.match(/0007-search-trigram-indexes: pg_trgm is not installed and cannot be created \(permission denied/);
        expect(warnings[0]).to.include('by scanning the table');
        expect(await trigramIndexes(roleFx!.sequelize, 'users')).to.deep.equal([]);
        await seedSearchable(roleFx!);
        expect((await roleFx!.users.list(search('QUOKKA'))).items.map((u) => u.username).sort()).to.deep.equal(QUOKKAS);
      });
    });
  });
}
