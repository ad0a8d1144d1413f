import { QueryTypes, type Sequelize } from 'sequelize';
import type { PoolMetrics } from '../domain/types';
import { translateDatabaseError } from './database-errors';
import type { DatabaseInfo } from './database-info';
import { sqliteStateOf } from './sqlite-lock';

/** The figures sequelize-pool exposes (Sequelize 6's PostgreSQL pool). */
interface PoolFigures {
  size: number;
  available: number;
  using: number;
  waiting: number;
  maxSize: number;
}

/** Sequelize's SQLite connection manager: open connections keyed by transaction id. */
interface SqliteConnections {
  connections: Record<string, { uuid?: string }>;
}

/**
 * {@link DatabaseInfo} on a Sequelize instance: `SELECT 1` for health, and the pool figures
 * of docs/reference/routes.md "Database metrics".
 *
 * PostgreSQL reports sequelize-pool's own counts. SQLite has no pool in Sequelize: it keeps
 * one idle connection for plain statements and opens one per transaction (with `:memory:`,
 * a single shared connection), so `checked_out` is the connections busy in a transaction,
 * `checked_in` the idle ones, and `waiting` the transactions queued for SQLite's single
 * writer. `overflow` is always 0: neither driver opens connections beyond `pool_size`.
 */
export class SequelizeDatabaseInfo implements DatabaseInfo {
  /**
   * @param poolMax the configured maximum (`database.poolMax`), reported as `pool_size`.
   */
  constructor(
    private readonly sequelize: Sequelize,
    readonly provider: 'postgres' | 'sqlite',
    private readonly poolMax: number,
  ) {}

  async ping(): Promise<void> {
    try {
      await this.sequelize.query('SELECT 1', { type: QueryTypes.SELECT });
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }

  poolMetrics(): PoolMetrics {
    return this.provider === 'sqlite' ? this.sqliteMetrics() : this.postgresMetrics();
  }

  private postgresMetrics(): PoolMetrics {
    const pool = (this.sequelize.connectionManager as unknown as { pool: PoolFigures }).pool;
    const checkedIn = pool.available;
    const checkedOut = pool.using;
    return metrics(pool.maxSize ?? this.poolMax, checkedIn, checkedOut, pool.waiting);
  }

  private sqliteMetrics(): PoolMetrics {
    const { connections } = this.sequelize.connectionManager as unknown as SqliteConnections;
    let checkedIn = 0;
    let checkedOut = 0;
    for (const connection of Object.values(connections)) {
      // A transaction stamps its id on the connection while it holds it.
      if (connection.uuid) checkedOut += 1;
      else checkedIn += 1;
    }
    const waiting = sqliteStateOf(this.sequelize)?.lock.waiting ?? 0;
    return metrics(this.poolMax, checkedIn, checkedOut, waiting);
  }
}

function metrics(poolSize: number, checkedIn: number, checkedOut: number, waiting: number): PoolMetrics {
  return {
    pool_size: poolSize,
    checked_in: checkedIn,
    checked_out: checkedOut,
    waiting,
    overflow: 0,
    total_connections: checkedIn + checkedOut,
  };
}
