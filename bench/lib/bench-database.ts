import { createConsoleLogger, createCore, type Core, type CoreOptions } from '@app/core';
import pg from 'pg';

/** Where the bench databases live unless DATABASE_URL says otherwise. */
const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * The URL of bench database `name` (e.g. `bench_100k`): DATABASE_URL (or the local default)
 * with its database name replaced, so one variable points every size at the same server.
 */
export function benchDatabaseUrl(name: string): string {
  const url = new URL(process.env.DATABASE_URL ?? DEFAULT_SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates database `name` on the bench server when it does not exist yet. */
export async function ensureDatabase(name: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad bench database name: ${name}`);
  const admin = new pg.Client({ connectionString: benchDatabaseUrl('postgres') });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
}

/** A core on bench database `name`, migrated, with the bench's fixed options merged in. */
export async function openBenchCore(name: string, options: CoreOptions = {}): Promise<Core> {
  await ensureDatabase(name);
  return createCore({
    environment: 'test',
    // Migration chatter would interleave with the tables; warnings and errors still show.
    logger: createConsoleLogger({ level: 'warn' }),
    ...options,
    database: { poolMax: 10, ...options.database, url: benchDatabaseUrl(name) },
    migrate: true,
  });
}

/** Runs `work` with a plain pg client on bench database `name`. */
export async function withClient<T>(name: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: benchDatabaseUrl(name) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const SEED_PASSWORD = 'bench-password-123';

/** How many users the bench database `name` was seeded with (its `bench_meta` row), if any. */
export async function seededCount(name: string): Promise<number | undefined> {
  return withClient(name, async (client) => {
    await client.query('CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL)');
    const { rows } = await client.query<{ value: string }>("SELECT value FROM bench_meta WHERE key = 'seeded'");
    return rows[0] ? Number(rows[0].value) : undefined;
  });
}

/** Records that the database behind `client` now holds `count` seeded users. */
export async function markSeeded(client: pg.Client, count: number): Promise<void> {
  await client.query(
    "INSERT INTO bench_meta (key, value) VALUES ('seeded', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
    [String(count)],
  );
}

/**
 * Makes bench database `name` hold exactly `count` seeded users, reusing it when a previous
 * run already did (a marker row in `bench_meta` records the count). Users are inserted with
 * the product's own `seedUsers`, then spread into a realistic shape in one statement: created
 * over the last two years, 90 % active, 1 % superusers (fixed random seed, so every run and
 * every machine gets the same data); `updated_at` stays at the seeding time. VACUUM FULL then
 * drops the dead rows the update left, so the table is as compact as a freshly loaded one,
 * and VACUUM sets the visibility map.
 */
export async function ensureSeeded(core: Core, name: string, count: number): Promise<void> {
  if ((await seededCount(name)) === count) return;

  const started = Date.now();
  process.stderr.write(`seeding ${name} with ${count} users\n`);
  await withClient(name, (client) => client.query('TRUNCATE users, sessions RESTART IDENTITY CASCADE'));
  let lastReport = 0;
  await core.services.users.seedUsers({
    count,
    password: SEED_PASSWORD,
    batchSize: 5000,
    onProgress: (done) => {
      if (done - lastReport >= count / 10 || done === count) {
        lastReport = done;
        process.stderr.write(`  ${done}/${count} inserted (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
      }
    },
  });
  await withClient(name, async (client) => {
    await client.query('SELECT setseed(0.42)');
    await client.query(`
      UPDATE users SET created_at = now() - random() * interval '730 days',
                       is_active = random() >= 0.10,
                       is_superuser = random() < 0.01`);
    process.stderr.write(`  distribution applied; VACUUM FULL, then VACUUM ANALYZE users\n`);
    await client.query('VACUUM FULL users');
    // VACUUM FULL leaves the visibility map empty; a plain VACUUM sets it, as autovacuum
    // would on a live table, so index-only scans need no heap visits.
    await client.query('VACUUM ANALYZE users');
    await markSeeded(client, count);
  });
  process.stderr.write(`  ${name} ready in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}
