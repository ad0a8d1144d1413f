import { QueryTypes, type Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import { ConfigError } from '../config/options';
import type { Logger } from '../logger/logger';
import { withMigrationLock } from './migration-lock';
import type { Migration, MigrationContext } from './migrations/migration';
import { MIGRATIONS } from './migrations/migration-list';
import { createTableNames, type TableNames } from './table-names';

/** Versioned schema migrations: the one runner for PostgreSQL and SQLite. */
export interface Migrator {
  /** Applies every pending migration, oldest first; resolves with the names applied. */
  up(): Promise<string[]>;
  /**
   * Reverts migrations, newest first: only the last one by default, everything with
   * `{ to: 0 }`, or down to and including the named one. Resolves with the names reverted.
   */
  down(options?: { to?: 0 | string }): Promise<string[]>;
  /** Names already applied and names still pending, each oldest first. */
  status(): Promise<{ executed: string[]; pending: string[] }>;
}

/** The table where applied migration names are recorded, before any `database.tablePrefix`. */
export const MIGRATIONS_TABLE = 'schema_migrations';

/** Options of {@link createMigrator}. */
export interface MigratorOptions {
  /** The core's table names (prefix, schema); the historical names by default. */
  tables?: TableNames;
  /** The host's migrations, run after the core's (see {@link allMigrations}). */
  hostMigrations?: readonly Migration[];
}

/**
 * The core's migrations followed by the host's, in one ordered list.
 *
 * @throws ConfigError naming a host migration whose name is empty, repeated, or one of the core's.
 */
export function allMigrations(hostMigrations: readonly Migration[] = []): readonly Migration[] {
  const seen = new Set(MIGRATIONS.map((migration) => migration.name));
  for (const migration of hostMigrations) {
    if (typeof migration.name !== 'string' || migration.name.trim() === '') {
      throw new ConfigError('Invalid option migrations: every migration needs a non-empty name');
    }
    if (seen.has(migration.name)) {
      const whose = MIGRATIONS.some((core) => core.name === migration.name) ? 'a core migration' : 'another host migration';
      throw new ConfigError(`Invalid option migrations: the migration '${migration.name}' has the same name as ${whose}`);
    }
    seen.add(migration.name);
  }
  return [...MIGRATIONS, ...hostMigrations];
}

/**
 * Builds the migrator of one Sequelize instance. Each migration step runs in its own
 * transaction (DDL is transactional on both PostgreSQL and SQLite), so a failing step leaves
 * the schema as it was before that step. Every command holds the database's migration lock
 * for its whole run (see `withMigrationLock`), so concurrent runs from several processes
 * apply each migration once. On PostgreSQL a configured schema is created when missing.
 *
 * @throws ConfigError when a host migration's name collides (see {@link allMigrations}).
 * @example
 * const migrator = createMigrator(sequelize, logger, { tables: createTableNames({ tablePrefix: 'auth_' }) });
 * await migrator.up();           // e.g. ['0001-create-users', '0002-create-sessions', …]
 * await migrator.down({ to: 0 }); // drops everything again
 */
export function createMigrator(sequelize: Sequelize, logger: Logger, options: MigratorOptions = {}): Migrator {
  const tables = options.tables ?? createTableNames();
  const migrations = allMigrations(options.hostMigrations);
  const queryInterface = sequelize.getQueryInterface();
  const inTransaction = (step: (context: MigrationContext) => Promise<void>) => () =>
    sequelize.transaction((transaction) => step({ queryInterface, transaction, tables, logger }));
  const umzug = new Umzug({
    migrations: migrations.map((migration) => ({
      name: migration.name,
      up: inTransaction((context) => migration.up(context)),
      down: inTransaction((context) => migration.down(context)),
    })),
    storage: new SequelizeStorage({
      sequelize,
      tableName: tables.migrations.tableName,
      schema: tables.migrations.schema,
      modelName: 'SchemaMigration',
    }),
    logger: {
      info: (record) => {
        if (record.event === 'migrated' || record.event === 'reverted') {
          logger.info(`Migration ${String(record.name)} ${String(record.event)}`);
        }
      },
      warn: (record) => logger.warn(`Migrations: ${JSON.stringify(record)}`),
      error: (record) => logger.error(`Migrations: ${JSON.stringify(record)}`),
      debug: () => undefined,
    },
  });
  const locked = <T>(work: () => Promise<T>) =>
    withMigrationLock(sequelize, tables, logger, async () => {
      // Inside the lock: two concurrent CREATE SCHEMA IF NOT EXISTS race on PostgreSQL.
      if (tables.schema) await ensureSchema(sequelize, tables.schema);
      return work();
    });
  return {
    up: () => locked(async () => (await umzug.up()).map((migration) => migration.name)),
    down: (downOptions = {}) =>
      locked(async () => {
        const reverted = downOptions.to === undefined ? await umzug.down() : await umzug.down({ to: downOptions.to });
        return reverted.map((migration) => migration.name);
      }),
    status: () =>
      locked(async () => {
        // One after the other: each call creates the storage table if missing.
        const executed = await umzug.executed();
        const pending = await umzug.pending();
        return { executed: executed.map((m) => m.name), pending: pending.map((m) => m.name) };
      }),
  };
}

/**
 * Creates the PostgreSQL schema when it is missing. Looked up first because CREATE SCHEMA IF
 * NOT EXISTS still needs the CREATE privilege on the database, which a role given a
 * pre-created schema may lack.
 */
async function ensureSchema(sequelize: Sequelize, schema: string): Promise<void> {
  const found = await sequelize.query('SELECT 1 FROM pg_namespace WHERE nspname = :schema', {
    type: QueryTypes.SELECT,
    replacements: { schema },
  });
  if (found.length === 0) await sequelize.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
}
