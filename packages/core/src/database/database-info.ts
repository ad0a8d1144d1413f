import type { PoolMetrics } from '../domain/types';

/** What the health and metrics services need of the database, with no SQL of their own. */
export interface DatabaseInfo {
  readonly provider: 'postgres' | 'sqlite';
  /** Runs `SELECT 1`; rejects when the database cannot be reached. */
  ping(): Promise<void>;
  /** The pool figures of docs/reference/routes.md "Database metrics". */
  poolMetrics(): PoolMetrics;
}

export const DATABASE_INFO = Symbol.for('app.DatabaseInfo');
