import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import { useDatabaseFixture } from '../testing/database-fixture';
import { silentLogger } from '../logger/logger';
import { testDatabaseTargets } from '../testing/test-databases';
import { ConfigError } from '../config/options';
import { allMigrations, createMigrator, MIGRATIONS_TABLE } from './migrator';
import type { Migration } from './migrations/migration';
import { SequelizeUserRepository } from '../repositories/sequelize-user-repository';
import { queryPlan } from '../testing/query-plan';

const ALL = [
  '0001-create-users',
  '0002-create-sessions',
  '0003-add-flag-indexes',
  '0004-session-refresh-families',
  '0005-account-lifecycle',
  '0006-create-audit-events',
  '0007-search-trigram-indexes',
];

/** PostgreSQL only (with pg_trgm, which the test server has): one GIN trigram index per searchable field. */
const TRIGRAM_INDEXES = { users_email_trgm: 'trgm email', users_username_trgm: 'trgm username', users_full_name_trgm: 'trgm full_name' };

/** Every index the migrations must create: name → "unique? columns" (normalised). */
const EXPECTED_INDEXES: Record<string, Record<string, string>> = {
  users: {
    users_email_unique: 'unique email',
    users_username_unique: 'unique username',
    users_username_lower_unique: 'unique lower username',
    users_created_at_id: 'created_at,id',
    users_is_active_created_at_id: 'is_active,created_at,id',
    users_is_superuser_created_at_id: 'is_superuser,created_at,id',
    users_is_active: 'is_active',
    users_is_superuser: 'is_superuser',
  },
  sessions: {
    sessions_jti_unique: 'unique jti',
    sessions_user_id: 'user_id',
    sessions_expires_at: 'expires_at',
  },
  account_tokens: {
    account_tokens_token_hash_unique: 'unique token_hash',
    account_tokens_user_id_purpose: 'user_id,purpose',
  },
  mail_outbox: { mail_outbox_due: 'failed_at,next_attempt_at' },
  audit_events: {
    audit_events_occurred_at_id: 'occurred_at,id',
    audit_events_type_occurred_at_id: 'type,occurred_at,id',
    audit_events_actor_occurred_at_id: 'actor_user_id,occurred_at,id',
    audit_events_subject_occurred_at_id: 'subject_user_id,occurred_at,id',
  },
};

/** Reads the secondary indexes of `table` from the catalogue, in one shape for both databases. */
async function indexesOf(sequelize: Sequelize, table: string): Promise<Record<string, string>> {
  const sql =
    sequelize.getDialect() === 'postgres'
      ? `SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE tablename = :table AND indexname NOT LIKE '%_pkey'`
      : `SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index' AND tbl_name = :table AND sql IS NOT NULL`;
  const rows = await sequelize.query<{ name: string; definition: string }>(sql, { type: QueryTypes.SELECT, replacements: { table } });
  const result: Record<string, string> = {};
  for (const { name, definition } of rows) {
    const trigram = /USING gin \("?(\w+)"? \S*gin_trgm_ops\)/.exec(definition);
    if (trigram) {
      result[name] = `trgm ${trigram[1]}`;
      continue;
    }
    const columns = definition
      .slice(definition.indexOf('(', definition.toUpperCase().indexOf(' ON ')))
      .replace(/::text|[()`"\s]/g, (match) => (match === '(' ? ' ' : ''))
      .replace(/\s+/g, ' ')
      .trim();
    result[name] = `${/CREATE UNIQUE/i.test(definition) ? 'unique ' : ''}${columns}`;
  }
  return result;
}

/** {@link EXPECTED_INDEXES} with the trigram indexes PostgreSQL adds. */
function expectedIndexes(dialect: 'postgres' | 'sqlite'): Record<string, Record<string, string>> {
  return dialect === 'postgres' ? { ...EXPECTED_INDEXES, users: { ...EXPECTED_INDEXES.users, ...TRIGRAM_INDEXES } } : EXPECTED_INDEXES;
}

async function tableNames(sequelize: Sequelize): Promise<string[]> {
  const names = (await sequelize.getQueryInterface().showAllTables()) as unknown[];
  return names.map((name) => (typeof name === 'string' ? name : String((name as { tableName: string }).tableName))).sort();
}

for (const target of testDatabaseTargets()) {
  describe(`createMigrator (${target.name})`, () => {
    const fx = useDatabaseFixture(target, { migrate: false });


    describe('up', () => {
      it('applies every migration once and reports them', async () => {
        expect(await fx.migrator.status()).to.deep.equal({ executed: [], pending: ALL });
        expect(await fx.migrator.up()).to.deep.equal(ALL);
        expect(await fx.migrator.up()).to.deep.equal([]);
        expect(await fx.migrator.status()).to.deep.equal({ executed: ALL, pending: [] });
      });

      it('creates every table with every index of the spec', async () => {
        expect(await tableNames(fx.sequelize)).to.include.members(['users', 'sessions', 'audit_events', MIGRATIONS_TABLE]);
        for (const [table, expected] of Object.entries(expectedIndexes(target.name))) {
          expect(await indexesOf(fx.sequelize, table), table).to.deep.equal(expected);
        }
      });

      it('lets the default list query read an index instead of sorting', async () => {
        await fx.users.bulkCreate(
          Array.from({ length: 30 }, (_, i) => ({ email: `p${i}@example.com`, username: `p${i}`, hashed_password: 'h', is_active: i % 3 !== 0 })),
        );
        const statements: string[] = [];
        fx.sequelize.addHook('afterQuery', 'capture', (_options, query) => void statements.push((query as unknown as { sql: string }).sql));
        // Past the exact-count limit the page is its own ORDER BY … LIMIT statement (within
        // it, the page is picked among at most limit + 1 hits already read).
        await new SequelizeUserRepository(fx.models, fx.uow, fx.fields, { exactCountLimit: 5 })
          .list({ page: 1, size: 20, is_active: true, sort_by: 'created_at', sort_order: 'desc' })
          .finally(() => fx.sequelize.removeHook('afterQuery', 'capture'));
        const select = statements.find((sql) => /ORDER BY/i.test(sql) && !/^\s*WITH/i.test(sql));
        expect(select, 'the page query').to.be.a('string');
        const plan = await queryPlan(fx.sequelize, select!.replace(/;\s*$/, ''));
        expect(plan).to.match(/users_is_active_created_at_id/);
        expect(plan, plan).to.not.match(/TEMP B-TREE|Sort/i);
      });
    });

    describe('down', () => {
      it('reverts the newest migration by default', async () => {
        expect(await fx.migrator.down()).to.deep.equal(['0007-search-trigram-indexes']);
        expect(await indexesOf(fx.sequelize, 'users')).to.deep.equal(EXPECTED_INDEXES.users);
        expect(await fx.migrator.down()).to.deep.equal(['0006-create-audit-events']);
        expect(await tableNames(fx.sequelize)).to.not.include('audit_events');
        expect(await fx.migrator.down()).to.deep.equal(['0005-account-lifecycle']);
        expect(await tableNames(fx.sequelize)).to.not.include.members(['account_tokens', 'mail_outbox']);
        // Dropping a column rebuilds the table on SQLite: its indexes must survive that.
        expect(await indexesOf(fx.sequelize, 'users')).to.deep.equal(EXPECTED_INDEXES.users);
        expect(await fx.migrator.down()).to.deep.equal(['0004-session-refresh-families']);
        expect(await fx.migrator.down()).to.deep.equal(['0003-add-flag-indexes']);
        expect(Object.keys(await indexesOf(fx.sequelize, 'users'))).to.not.include.members(['users_is_active', 'users_is_superuser']);
        expect(await fx.migrator.down()).to.deep.equal(['0002-create-sessions']);
        expect(await tableNames(fx.sequelize)).to.not.include('sessions');
        expect(await fx.migrator.up()).to.deep.equal(ALL.slice(1));
      });

      it('removes every table and index with { to: 0 }, and up rebuilds them', async () => {
        expect(await fx.migrator.down({ to: 0 })).to.deep.equal([...ALL].reverse());
        // SQLite keeps the (empty) lease table of the migration lock.
        const bookkeeping = target.name === 'sqlite' ? [MIGRATIONS_TABLE, `${MIGRATIONS_TABLE}_lock`] : [MIGRATIONS_TABLE];
        expect(await tableNames(fx.sequelize)).to.deep.equal(bookkeeping);
        expect(await indexesOf(fx.sequelize, 'users')).to.deep.equal({});
        expect(await fx.migrator.status()).to.deep.equal({ executed: [], pending: ALL });
        expect(await fx.migrator.up()).to.deep.equal(ALL);
        expect(await indexesOf(fx.sequelize, 'users')).to.deep.equal(expectedIndexes(target.name).users);
        const user = await fx.users.create({ email: 'again@example.com', username: 'again', hashed_password: 'h' });
        expect(user.id).to.be.a('number');
      });
    });
  });
}

/** A host migration that adds a column to the core's users table, as a host would. */
const addTenant: Migration = {
  name: 'host-0001-add-tenant-id',
  up: ({ queryInterface, transaction, tables }) =>
    queryInterface.addColumn(tables.users, 'tenant_id', { type: 'VARCHAR(36)', allowNull: true }, { transaction }),
  // Not queryInterface.removeColumn: on SQLite Sequelize rebuilds the table for it and trips
  // over the lower(username) index; both databases run ALTER TABLE … DROP COLUMN.
  down: async ({ queryInterface, transaction, tables }) => {
    await queryInterface.sequelize.query(`ALTER TABLE ${tables.sql(tables.users)} DROP COLUMN tenant_id`, { transaction });
  },
};

describe('allMigrations', () => {
  it('puts host migrations after the core ones', () => {
    expect(allMigrations([addTenant]).map((m) => m.name)).to.deep.equal([...ALL, addTenant.name]);
  });

  it('refuses a host migration named like a core one, or twice, naming it', () => {
    const clash = { ...addTenant, name: '0002-create-sessions' };
    expect(() => allMigrations([clash])).to.throw(ConfigError, "the migration '0002-create-sessions' has the same name as a core migration");
    expect(() => allMigrations([addTenant, addTenant])).to.throw(
      ConfigError,
      "the migration 'host-0001-add-tenant-id' has the same name as another host migration",
    );
    expect(() => allMigrations([{ ...addTenant, name: ' ' }])).to.throw(ConfigError, 'non-empty name');
  });
});

for (const target of testDatabaseTargets()) {
  describe(`createMigrator with host migrations (${target.name})`, () => {
    const fx = useDatabaseFixture(target, { migrate: false, tables: { tablePrefix: 'auth_' } });

    it('runs them after the core ones in one run, recorded in the same table, and reverts them first', async () => {
      const migrator = createMigrator(fx.sequelize, silentLogger, { tables: fx.tables, hostMigrations: [addTenant] });
      expect(await migrator.up()).to.deep.equal([...ALL, addTenant.name]);
      expect(await columnsOf(fx.sequelize, fx.tables.users.tableName)).to.include('tenant_id');
      const [recorded] = await fx.sequelize.query(`SELECT name FROM ${fx.tables.sql(fx.tables.migrations)} ORDER BY name`);
      expect((recorded as Array<{ name: string }>).map((row) => row.name)).to.deep.equal([...ALL, addTenant.name].sort());
      expect(await migrator.down()).to.deep.equal([addTenant.name]);
      expect(await columnsOf(fx.sequelize, fx.tables.users.tableName)).to.not.include('tenant_id');
    });
  });
}

/** Column names from the catalogue (Sequelize's describeTable fails on SQLite's expression index). */
async function columnsOf(sequelize: Sequelize, table: string): Promise<string[]> {
  const sql =
    sequelize.getDialect() === 'postgres'
      ? 'SELECT column_name AS name FROM information_schema.columns WHERE table_name = :table'
      : 'SELECT name FROM pragma_table_info(:table)';
  const rows = await sequelize.query<{ name: string }>(sql, { type: QueryTypes.SELECT, replacements: { table } });
  return rows.map((row) => row.name);
}

