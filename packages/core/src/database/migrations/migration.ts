import type { QueryInterface, Transaction } from 'sequelize';

/** What each migration step receives: run every statement inside `transaction`. */
export interface MigrationContext {
  queryInterface: QueryInterface;
  transaction: Transaction;
}

/**
 * One versioned schema change. `name` is stored in the `schema_migrations` table and
 * must never change once released; `down` undoes exactly what `up` did. Statements must
 * run unchanged on PostgreSQL and SQLite (queryInterface, or SQL both accept).
 */
export interface Migration {
  name: string;
  up(context: MigrationContext): Promise<void>;
  down(context: MigrationContext): Promise<void>;
}
