import type { QueryInterface, Transaction } from 'sequelize';
import type { Logger } from '../../logger/logger';
import type { TableNames } from '../table-names';

/**
 * What each migration step receives: run every statement inside `transaction`, and name the
 * core's tables and indexes through `tables` (they carry the configured prefix and schema).
 */
export interface MigrationContext {
  queryInterface: QueryInterface;
  transaction: Transaction;
  /** The core's table and index names, e.g. `tables.users` for `queryInterface.addColumn`. */
  tables: TableNames;
  /** The core's logger, for a migration that must say why it did less (e.g. no pg_trgm). */
  logger: Logger;
}

/**
 * One versioned schema change. `name` is stored in the migrations table and must never
 * change once released; `down` undoes exactly what `up` did. Statements must run unchanged
 * on every database the migration supports (queryInterface, or SQL both accept).
 *
 * Hosts pass their own to `createCore({ migrations })`: they run after the core's, in the
 * same locked run, recorded in the same table (docs/guides/migrations.md).
 *
 * @example
 * const addTenant: Migration = {
 *   name: 'host-0001-add-tenant-id',
 *   up: ({ queryInterface, transaction, tables }) =>
 *     queryInterface.addColumn(tables.users, 'tenant_id', { type: DataTypes.STRING(36), allowNull: true }, { transaction }),
 *   // ALTER TABLE … DROP COLUMN runs on both databases; Sequelize's removeColumn rebuilds
 *   // SQLite tables and fails on the users table's lower(username) index.
 *   down: ({ queryInterface, transaction, tables }) =>
 *     queryInterface.sequelize.query(`ALTER TABLE ${tables.sql(tables.users)} DROP COLUMN tenant_id`, { transaction }).then(() => undefined),
 * };
 */
export interface Migration {
  name: string;
  up(context: MigrationContext): Promise<void>;
  down(context: MigrationContext): Promise<void>;
}
