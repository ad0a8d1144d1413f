import type { Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import type { Logger } from '../logger/logger';
import type { Migration, MigrationContext } from './migrations/migration';
import { MIGRATIONS } from './migrations/migration-list';

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

/** The table where applied migration names are recorded. */
export const MIGRATIONS_TABLE = 'schema_migrations';

/**
 * Builds the migrator of one Sequelize instance. Each migration step runs in its own
 * transaction (DDL is transactional on both PostgreSQL and SQLite), so a failing step
 * leaves the schema as it was before that step.
 *
 * @example
 * const migrator = createMigrator(sequelize, logger);
 * await migrator.up();           // e.g. ['0001-create-users', '0002-create-sessions']
 * await migrator.down({ to: 0 }); // drops everything again
 */
export function createMigrator(
  sequelize: Sequelize,
  logger: Logger,
  migrations: readonly Migration[] = MIGRATIONS,
): Migrator {
  const queryInterface = sequelize.getQueryInterface();
  const inTransaction = (step: (context: MigrationContext) => Promise<void>) => () =>
    sequelize.transaction((transaction) => step({ queryInterface, transaction }));
  const umzug = new Umzug({
    migrations: migrations.map((migration) => ({
      name: migration.name,
      up: inTransaction((context) => migration.up(context)),
      down: inTransaction((context) => migration.down(context)),
    })),
    storage: new SequelizeStorage({ sequelize, tableName: MIGRATIONS_TABLE, modelName: 'SchemaMigration' }),
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
  return {
    async up() {
      const applied = await umzug.up();
      return applied.map((migration) => migration.name);
    },
    async down(options = {}) {
      const reverted = options.to === undefined ? await umzug.down() : await umzug.down({ to: options.to });
      return reverted.map((migration) => migration.name);
    },
    async status() {
      // One after the other: each call creates the storage table if missing, and two
      // concurrent CREATE TABLE IF NOT EXISTS race on PostgreSQL.
      const executed = await umzug.executed();
      const pending = await umzug.pending();
      return { executed: executed.map((m) => m.name), pending: pending.map((m) => m.name) };
    },
  };
}
