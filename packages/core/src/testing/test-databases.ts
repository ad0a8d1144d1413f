import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';

/** A throwaway database for one test suite. */
export interface TestDatabase {
  /** A `DATABASE_URL`-style URL for `createSequelize` / `createCore`. */
  url: string;
  /** Deletes the database (files, or the PostgreSQL database). Safe to call twice. */
  drop(): Promise<void>;
}

/** One database engine the suites run against. */
export interface TestDatabaseTarget {
  name: 'sqlite' | 'postgres';
  /** Creates a fresh, empty database; rejects when the server cannot be reached. */
  create(): Promise<TestDatabase>;
}

/**
 * The databases every repository and integration suite runs against: SQLite always (a fresh
 * temporary file, so several connections and WAL are exercised as in production), and
 * PostgreSQL when `TEST_DATABASE_URL` is set. For PostgreSQL each `create()` makes a
 * uniquely named database (`app_t_<random>`) on that server, so suites running in parallel
 * never collide and the database named in the URL is never touched. When
 * `TEST_DATABASE_URL` is set but unreachable, `create()` rejects: the suite fails, it never
 * silently skips.
 *
 * @example
 * for (const target of testDatabaseTargets()) {
 *   describe(`UserRepository (${target.name})`, () => {
 *     let db: TestDatabase;
 *     before(async () => { db = await target.create(); });
 *     after(async () => { await db.drop(); });
 *     // createSequelize({ url: db.url, ... }), createMigrator(...).up(), then test
 *   });
 * }
 */
export function testDatabaseTargets(env: NodeJS.ProcessEnv = process.env): TestDatabaseTarget[] {
  const targets: TestDatabaseTarget[] = [{ name: 'sqlite', create: createSqliteDatabase }];
  const adminUrl = env.TEST_DATABASE_URL;
  if (adminUrl) targets.push({ name: 'postgres', create: () => createPostgresDatabase(adminUrl) });
  return targets;
}

async function createSqliteDatabase(): Promise<TestDatabase> {
  const file = join(tmpdir(), `app-test-${randomBytes(6).toString('hex')}.sqlite`);
  return {
    url: `sqlite:${file}`,
    async drop() {
      await Promise.all(['', '-wal', '-shm', '-journal'].map((suffix) => rm(file + suffix, { force: true })));
    },
  };
}

async function createPostgresDatabase(adminUrl: string): Promise<TestDatabase> {
  // Lower-case letters and digits only, so the name needs no quoting anywhere.
  const name = `app_t_${randomBytes(6).toString('hex')}`;
  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdminClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdminClient<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  // pg is an optional peer: only suites given TEST_DATABASE_URL load it.
  const { default: driver } = await import('pg');
  const client = new driver.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(`TEST_DATABASE_URL is set but PostgreSQL cannot be reached: ${(error as Error).message}`);
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
