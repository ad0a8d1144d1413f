/**
 * Search and list at 100k and 1M users on PostgreSQL, before and after migration
 * 0007-search-trigram-indexes and the capped total, in the same run on the same data:
 *
 *   before: 0007 reverted (no trigram index) and LIST_EXACT_COUNT_LIMIT=0 (an exact COUNT(*))
 *   after:  0007 applied and the default limit (exact up to 10,000 matches, then estimated)
 *
 * Measured through `listUsers` (validation, Sequelize and both statements included), one call
 * after another. Prints a Markdown table with before/after medians, p95 and their ratio.
 *
 *   npm run bench:search
 *
 * Environment: DATABASE_URL (server; databases bench_search_100k and bench_search_1m are
 * created and seeded once with generate_series), BENCH_SEARCH_SIZES (default
 * "100000,1000000"), BENCH_SEARCH_RUNS (timed runs per line, default 100; a fifth,
 * at least 10, for a query whose first call takes over 100 ms), BENCH_EXPLAIN=1 (EXPLAIN ANALYZE of each query after).
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Core, UserListQuery } from '@app/core';
import { benchDatabaseUrl, markSeeded, openBenchCore, seededCount, withClient } from './lib/bench-database';
import { openRecordingCore, printPlans } from './lib/explain';
import { describeMachine, formatMachine } from './lib/machine';
import { formatMs, measure, type Summary } from './lib/measure';
import { printTable } from './lib/table';

const sizes = (process.env.BENCH_SEARCH_SIZES ?? '100000,1000000').split(',').map(Number);
const runs = Number(process.env.BENCH_SEARCH_RUNS ?? 100);
const explainAll = process.env.BENCH_EXPLAIN === '1';
const TRIGRAM = '0007-search-trigram-indexes';
/** A bcrypt hash of no particular password: the bench never logs in. */
const HASH = '$2b$12$C6UzMDM.H6dfI/f/IKxGhuQwwVyAMMgvKb8G3r7tuvO5ZZj2Y7w1a';

const label = (count: number) => (count >= 1_000_000 ? `${count / 1_000_000}M` : `${count / 1000}k`);

/** The measured queries: page 1 of 20, newest first, as the admin page asks. */
const QUERIES: Array<[string, Partial<UserListQuery>, number | undefined]> = [
  ['search "user 4242" (few matches)', { search: 'user 4242' }, 20],
  // Matches spread over the table, as real names are (ids ending in 5): a term whose matches
  // cluster in one part of the heap ("seed_9": ids 900,000 on) makes the capped count's
  // sequential scan read up to the whole table first (docs/PERFORMANCE.md).
  ['search "5@example" (10 % match)', { search: '5@example' }, undefined],
  ['search "zz" (2 letters: no trigram; no match)', { search: 'zz' }, undefined],
  ['no filter', {}, undefined],
  ['is_active=true (90 %)', { is_active: true }, undefined],
];

/**
 * Fills `users` with `count` rows in one INSERT … SELECT FROM generate_series (the names the
 * product's seedUsers gives, so "user 4242" finds what it found in bench:core), created over
 * two years, 90 % active, 1 % superusers, fixed random seed; then VACUUM ANALYZE. Reused when
 * `bench_meta` says it is done.
 */
async function ensureSeeded(database: string, count: number): Promise<void> {
  if ((await seededCount(database)) === count) return;
  const started = performance.now();
  process.stderr.write(`seeding ${database} with ${count} users (generate_series)\n`);
  await withClient(database, async (client) => {
    await client.query('TRUNCATE users, sessions RESTART IDENTITY CASCADE');
    await client.query('SELECT setseed(0.42)');
    await client.query(
      `INSERT INTO users (email, username, hashed_password, full_name, is_active, is_superuser, email_verified, created_at, updated_at)
       SELECT 'seed_' || g || '@example.com', 'seed_' || g, $1, 'Seed User ' || g,
              random() >= 0.10, random() < 0.01, false, now() - random() * interval '730 days', now()
         FROM generate_series(1, $2::int) AS g`,
      [HASH, count],
    );
    await client.query('VACUUM ANALYZE users');
    await markSeeded(client, count);
  });
  process.stderr.write(`  ${database} seeded in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

interface Line {
  name: string;
  users: string;
  before: Summary;
  after: Summary;
  approximate: boolean;
  targetMs?: number;
  run: (core: Core) => Promise<unknown>;
  database: string;
}

/**
 * `runs` timed calls, or a fifth of them (at least 10) when a warm call takes over 100 ms.
 * Judged on the second call: the first after an index build reads a cold cache.
 */
async function timed(operation: () => Promise<unknown>): Promise<Summary> {
  await operation();
  const started = performance.now();
  await operation();
  const slow = performance.now() - started > 100;
  return measure(operation, { iterations: slow ? Math.max(10, Math.round(runs / 5)) : runs, warmup: slow ? 1 : 5 });
}

async function benchSize(count: number): Promise<{ lines: Line[]; buildMs: number }> {
  const database = `bench_search_${label(count).toLowerCase()}`;
  const options = { cacheEnabled: false, limiterEnabled: false, bcryptRounds: 4, hashWorkers: 1 } as const;
  const before = await openBenchCore(database, { ...options, listExactCountLimit: 0 });
  const after = await openBenchCore(database, options);
  try {
    // Seeding without the GIN indexes is several times faster; "before" wants them gone anyway.
    const applied = (await before.migrator.status()).executed;
    if (applied.includes(TRIGRAM)) await before.migrator.down({ to: TRIGRAM });
    await ensureSeeded(database, count);
    const measured: Array<Omit<Line, 'after' | 'approximate'>> = [];
    for (const [name, query, targetMs] of QUERIES) {
      const run = (core: Core) => core.services.users.listUsers({ page: 1, size: 20, sort_by: 'created_at', sort_order: 'desc', ...query });
      measured.push({ name, users: label(count), targetMs, run, database, before: await timed(() => run(before)) });
    }
    const started = performance.now();
    await after.migrator.up();
    const buildMs = performance.now() - started;
    await withClient(database, (client) => client.query('ANALYZE users'));
    const lines: Line[] = [];
    for (const line of measured) {
      const page = (await line.run(after)) as { approximate?: boolean };
      lines.push({ ...line, approximate: page.approximate === true, after: await timed(() => line.run(after)) });
    }
    return { lines, buildMs };
  } finally {
    await Promise.all([before.close(), after.close()]);
  }
}

async function main(): Promise<void> {
  const machine = await describeMachine(benchDatabaseUrl('postgres'));
  console.log(`# bench:search\n\nMachine: ${formatMachine(machine)}`);
  const loadBefore = loadavg()[0]!;
  const lines: Line[] = [];
  const builds: string[] = [];
  for (const count of sizes) {
    const result = await benchSize(count);
    lines.push(...result.lines);
    builds.push(`${label(count)}: ${formatMs(result.buildMs)}`);
  }
  console.log(`Load average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}\n`);
  printTable(
    ['list page 1 of 20, created_at desc', 'users', 'before median', 'before p95', 'after median', 'after p95', 'before ÷ after', 'total', 'target (after median)'],
    lines.map((line) => [
      line.name,
      line.users,
      formatMs(line.before.medianMs),
      formatMs(line.before.p95Ms),
      formatMs(line.after.medianMs),
      formatMs(line.after.p95Ms),
      `${(line.before.medianMs / line.after.medianMs).toFixed(1)} ×`,
      line.approximate ? 'estimated' : 'exact',
      line.targetMs === undefined ? '-' : `≤ ${line.targetMs} ms: ${line.after.medianMs <= line.targetMs ? 'met' : 'MISSED'}`,
    ]),
  );
  console.log(`\nRuns: ${runs} per line, ${Math.max(10, Math.round(runs / 5))} where a warm call took over 100 ms. Building the three GIN indexes (migrate up of ${TRIGRAM}): ${builds.join(', ')}.`);
  const toExplain = lines.filter((line) => explainAll || (line.targetMs !== undefined && line.after.medianMs > line.targetMs));
  for (const line of toExplain) {
    const recorder = await openRecordingCore(line.database);
    try {
      await printPlans(line.database, recorder, `${line.name} (${line.users}), after`, line.run);
    } finally {
      await recorder.core.close();
    }
  }
}

await main();
