import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Sequelize } from 'sequelize-typescript';
import { ConfigError } from '../config/options';
import type { Logger } from '../logger/logger';
import { loadOptionalPeer } from './optional-peer';
import { registerSqlite } from './sqlite-lock';

/** Connection settings, as in `CoreConfig.database`. */
export interface ConnectionOptions {
  /** `sqlite:./data/app.sqlite`, `sqlite:/abs/path.sqlite`, `sqlite::memory:` or `postgres://…`. */
  url: string;
  poolMax: number;
  poolMin: number;
  /** Log every SQL statement through `logger.info`. */
  logging: boolean;
}

/** The Sequelize instance of one core and which database it talks to. */
export interface DatabaseConnection {
  sequelize: Sequelize;
  provider: 'postgres' | 'sqlite';
}

/** How long a SQLite connection waits for another writer before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/** The part of a node-sqlite3 `Database` the connection setup uses. */
interface SqliteHandle {
  exec(sql: string, callback: (error: Error | null) => void): void;
  configure(option: 'busyTimeout', value: number): void;
}

type GetConnection = (options?: Record<string, unknown>) => Promise<SqliteHandle>;

/** Sequelize's SQLite connection manager: open connections by key, including failed ones. */
interface SqliteConnectionManager {
  getConnection: GetConnection;
  connections: Record<string, unknown>;
}

/**
 * Opens (lazily) the database named by `options.url`. Nothing connects until the first query;
 * `createCore` then probes it (see `probeDatabase`).
 *
 * - PostgreSQL: a pool of `poolMin`..`poolMax` connections; `timestamptz` columns read back
 *   as JS Dates.
 * - SQLite file: the parent folder is created; every connection gets `foreign_keys = ON`
 *   (cascades depend on it) and a busy timeout; the file is switched to WAL so readers do
 *   not block the writer.
 * - `sqlite::memory:`: one connection that every transaction shares, so all see one database.
 *
 * Timestamps are stored and read in UTC on both (Sequelize's `timezone: '+00:00'`). The driver
 * (`pg` or `sqlite3`, optional peers of the package) is loaded here.
 *
 * @throws ConfigError naming DATABASE_URL when the driver is not installed or the SQLite
 *   file's folder cannot be created.
 * @example
 * const { sequelize, provider } = createSequelize({ url: 'sqlite::memory:', poolMax: 5, poolMin: 0, logging: false }, console);
 */
export function createSequelize(options: ConnectionOptions, logger: Logger): DatabaseConnection {
  const logging = options.logging ? (sql: string) => logger.info(sql) : false;
  const common = { logging, timezone: '+00:00', benchmark: false } as const;
  if (/^postgres(ql)?:\/\//.test(options.url)) {
    const dialectModule = loadOptionalPeer<object>('pg', 'DATABASE_URL is a postgres:// URL');
    const sequelize = new Sequelize(options.url, {
      ...common,
      dialect: 'postgres',
      dialectModule,
      // Without a connect timeout an unreachable host would hang health checks for minutes.
      dialectOptions: { connectionTimeoutMillis: 5_000, keepAlive: true, application_name: 'app-core' },
      // Acquire timeout below the default request timeout so an exhausted pool is a 503.
      pool: { max: options.poolMax, min: options.poolMin, acquire: 20_000, idle: 10_000, evict: 1_000 },
    });
    return { sequelize, provider: 'postgres' };
  }
  if (!options.url.startsWith('sqlite:')) {
    throw new Error('database url must start with sqlite: or postgres://');
  }
  const dialectModule = loadOptionalPeer<object>('sqlite3', 'DATABASE_URL is a sqlite: URL');
  const storage = sqliteStorage(options.url);
  const inMemory = storage === ':memory:';
  if (!inMemory) createFolder(dirname(storage));
  const sequelize = new Sequelize({
    ...common,
    dialect: 'sqlite',
    dialectModule,
    storage,
    pool: { max: options.poolMax, min: options.poolMin },
  });
  registerSqlite(sequelize, inMemory);
  prepareSqliteConnections(sequelize, inMemory);
  return { sequelize, provider: 'sqlite' };
}

function createFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(`DATABASE_URL names a SQLite file whose folder ${folder} cannot be created (${reason})`);
  }
}

/** `sqlite:./a.db` → `./a.db` (absolute), `sqlite:///tmp/a.db` → `/tmp/a.db`, `sqlite::memory:` → `:memory:`. */
export function sqliteStorage(url: string): string {
  const rest = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  if (rest === ':memory:' || rest === '') return ':memory:';
  return resolve(rest);
}

/**
 * Sequelize's SQLite dialect opens a new connection per transaction and fires
 * `PRAGMA foreign_keys` without waiting for it. Wrapping this instance's `getConnection`
 * (not the class, so other cores are untouched) lets every new connection finish its setup
 * before its first statement runs.
 */
function prepareSqliteConnections(sequelize: Sequelize, inMemory: boolean): void {
  const manager = sequelize.connectionManager as unknown as SqliteConnectionManager;
  const original: GetConnection = manager.getConnection.bind(manager);
  const prepared = new WeakMap<SqliteHandle, Promise<void>>();
  let walEnabled = inMemory;
  manager.getConnection = async (given) => {
    const options = given ?? {};
    let connection: SqliteHandle;
    try {
      connection = await original(options);
    } catch (error) {
      // Sequelize keeps a database handle that failed to open (a directory, no permission)
      // in its cache and waits forever to close it: drop it, so close() and retries work.
      delete manager.connections[String(options.inMemory || options.uuid)];
      throw error;
    }
    let setup = prepared.get(connection);
    if (!setup) {
      const statements = ['PRAGMA foreign_keys = ON'];
      // WAL with synchronous=NORMAL is durable against application crashes and much faster.
      if (!inMemory) statements.push('PRAGMA synchronous = NORMAL');
      const enableWal = !walEnabled;
      // journal_mode is stored in the file: once per instance is enough.
      if (enableWal) statements.push('PRAGMA journal_mode = WAL');
      walEnabled = true;
      connection.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
      setup = exec(connection, statements.join('; '));
      prepared.set(connection, setup);
      setup.catch(() => {
        // Let the next caller retry the setup instead of failing forever.
        prepared.delete(connection);
        if (enableWal) walEnabled = false;
      });
    }
    await setup;
    return connection;
  };
}

function exec(connection: SqliteHandle, sql: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    connection.exec(sql, (error) => (error ? reject(error) : resolvePromise()));
  });
}
