import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Logger } from '../logger/logger';
import type { TableNames } from './table-names';

/** How long a SQLite lease lasts unless its holder renews it; a crashed holder is taken over after this. */
export const SQLITE_LEASE_MS = 30_000;
const SQLITE_RENEW_MS = 5_000;
const SQLITE_POLL_MS = 200;

/** The part of a node-postgres client the lock uses. */
interface PgClient {
  query(sql: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/** Sequelize's connection manager: `_connect` opens a connection outside the pool, with its hooks. */
interface ConnectionManager {
  config: unknown;
  _connect(config: unknown): Promise<PgClient>;
  _disconnect(connection: PgClient): Promise<void>;
}

/**
 * Runs `work` while holding the migration lock of this core's tables, so two processes
 * migrating one database at once never both apply a migration: the second waits, then finds
 * nothing pending. Logs once when it has to wait.
 *
 * - PostgreSQL: a session-level `pg_advisory_lock` taken on a dedicated connection outside
 *   the pool (the migrations themselves use pooled ones, so `poolMax: 1` cannot deadlock),
 *   released in `finally`; a crashed holder's lock goes with its connection.
 * - SQLite: a lease row in `<prefix>schema_migrations_lock`, renewed while `work` runs and
 *   deleted after; a lease whose holder died expires after {@link SQLITE_LEASE_MS}.
 */
export async function withMigrationLock<T>(
  sequelize: Sequelize,
  tables: TableNames,
  logger: Logger,
  work: () => Promise<T>,
): Promise<T> {
  if (sequelize.getDialect() === 'postgres') return withAdvisoryLock(sequelize, tables, logger, work);
  return withSqliteLease(sequelize, tables, logger, work);
}

/** A 63-bit key per migrations table, so cores with other prefixes or schemas do not wait on each other. */
function advisoryKey(tables: TableNames): string {
  const digest = createHash('sha256').update(`app-core migrations ${tables.sql(tables.migrations)}`).digest();
  return (digest.readBigInt64BE(0) & 0x7fff_ffff_ffff_ffffn).toString();
}

async function withAdvisoryLock<T>(sequelize: Sequelize, tables: TableNames, logger: Logger, work: () => Promise<T>): Promise<T> {
  const manager = sequelize.connectionManager as unknown as ConnectionManager;
  const client = await manager._connect(manager.config);
  const key = advisoryKey(tables);
  try {
    const tried = await client.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key]);
    if (tried.rows[0]?.locked !== true) {
      logger.info('Migrations: another process holds the migration lock; waiting for it');
      await client.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    }
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
    }
  } finally {
    // Ending the session releases the lock too, should the unlock above have failed.
    await manager._disconnect(client).catch(() => undefined);
  }
}

async function withSqliteLease<T>(sequelize: Sequelize, tables: TableNames, logger: Logger, work: () => Promise<T>): Promise<T> {
  const table = tables.sql(tables.migrationLock);
  const owner = `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
  const run = (sql: string, replacements: Record<string, unknown> = {}) => sequelize.query(sql, { replacements });
  await run(`CREATE TABLE IF NOT EXISTS ${table} (id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, expires_at INTEGER NOT NULL)`);
  let warned = false;
  for (;;) {
    const now = Date.now();
    try {
      // One atomic statement: take the row when it is free, expired, or already ours.
      await run(
        `INSERT INTO ${table} (id, owner, expires_at) VALUES (1, :owner, :expires)
           ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
           WHERE ${table}.expires_at < :now OR ${table}.owner = :owner`,
        { owner, expires: now + SQLITE_LEASE_MS, now },
      );
    } catch (error) {
      // Another process is writing (a migration step); the lease is not ours yet.
      if (!/SQLITE_BUSY/.test(String((error as Error).message))) throw error;
    }
    const rows = await sequelize.query<{ owner: string }>(`SELECT owner FROM ${table} WHERE id = 1`, { type: QueryTypes.SELECT });
    if (rows[0]?.owner === owner) break;
    if (!warned) {
      logger.info('Migrations: another process holds the migration lock; waiting for it');
      warned = true;
    }
    await new Promise((resolve) => setTimeout(resolve, SQLITE_POLL_MS));
  }
  const renew = setInterval(() => {
    run(`UPDATE ${table} SET expires_at = :expires WHERE id = 1 AND owner = :owner`, {
      owner,
      expires: Date.now() + SQLITE_LEASE_MS,
    }).catch((error: unknown) => logger.warn({ err: error }, 'Migrations: could not renew the migration lock'));
  }, SQLITE_RENEW_MS);
  renew.unref();
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await run(`DELETE FROM ${table} WHERE id = 1 AND owner = :owner`, { owner });
  }
}
