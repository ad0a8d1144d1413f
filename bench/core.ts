/**
 * Core benchmark: dashboard stats, the user list and bulk create, measured through the
 * services (so Sequelize's own cost is included) on PostgreSQL. Prints Markdown tables.
 *
 *   npm run bench:core
 *
 * Environment: DATABASE_URL (server; the database name is replaced by bench_10k, bench_100k,
 * bench_1m), BCRYPT_ROUNDS (default 12), BENCH_LARGE_USERS (default 1000000),
 * BENCH_BULK_ITERATIONS (default 3), BENCH_EXPLAIN=1 (print EXPLAIN ANALYZE of every
 * measured query; done anyway for a query that misses its target).
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import type { Core, UserListQuery } from '@app/core';
// Not part of the public API: used only to time the hashing pool on its own, as a control.
import { WorkerPasswordHasher } from '../packages/core/src/security/worker-password-hasher';
import { benchDatabaseUrl, ensureSeeded, openBenchCore, withClient } from './lib/bench-database';
import { openRecordingCore, printPlans } from './lib/explain';
import { describeMachine, formatMachine } from './lib/machine';
import { formatMs, measure, summarize, type Summary } from './lib/measure';
import { printTable } from './lib/table';

const rounds = Number(process.env.BCRYPT_ROUNDS ?? 12);
const largeUsers = Number(process.env.BENCH_LARGE_USERS ?? 1_000_000);
const bulkIterations = Number(process.env.BENCH_BULK_ITERATIONS ?? 3);
const explainAll = process.env.BENCH_EXPLAIN === '1';
const cores = availableParallelism();

/** One measured line of the report. */
interface Row {
  name: string;
  dataset: string;
  summary: Summary;
  /** Target on the median, in ms; undefined when the line is for information only. */
  targetMs?: number;
  /** The core and operation to EXPLAIN when the target is missed. */
  explain?: { database: string; run: (core: Core) => Promise<unknown> };
}

const datasetName = (count: number) => (count >= 1_000_000 ? `${count / 1_000_000}m` : `${count / 1000}k`);

async function openSeeded(count: number): Promise<{ core: Core; database: string }> {
  const database = `bench_${datasetName(count)}`;
  // Caching and rate limiting off: every call must reach the database to be measured.
  const core = await openBenchCore(database, { bcryptRounds: rounds, cacheEnabled: false, limiterEnabled: false });
  await ensureSeeded(core, database, count);
  return { core, database };
}

const firstPage = (extra: Partial<UserListQuery>): Partial<UserListQuery> => ({
  page: 1,
  size: 20,
  sortBy: 'created_at',
  sortOrder: 'desc',
  ...extra,
});

async function queryRows(): Promise<Row[]> {
  const rows: Row[] = [];
  const small = await openSeeded(10_000);
  const list = await openSeeded(100_000);
  const large = await openSeeded(largeUsers);
  try {
    const stats = (core: Core) => core.services.dashboard.computeStats();
    rows.push({
      name: 'dashboard stats, uncached',
      dataset: '10k',
      summary: await measure(() => stats(small.core), { iterations: 200, warmup: 20 }),
      targetMs: 5,
      explain: { database: small.database, run: stats },
    });
    rows.push({
      name: 'dashboard stats, uncached',
      dataset: datasetName(largeUsers),
      summary: await measure(() => stats(large.core), { iterations: 50, warmup: 5 }),
      targetMs: 100,
      explain: { database: large.database, run: stats },
    });
    const lists: Array<[string, Partial<UserListQuery>, number | undefined]> = [
      ['list: is_active=true, created_at desc, page 1 of 20', { isActive: true }, 10],
      ['list: search "user 4242", created_at desc', { search: 'user 4242' }, undefined],
      ['list: username asc, page 1 of 20', { sortBy: 'username', sortOrder: 'asc' }, undefined],
    ];
    for (const [name, query, targetMs] of lists) {
      const run = (core: Core) => core.services.users.listUsers(firstPage(query));
      rows.push({
        name,
        dataset: '100k',
        summary: await measure(() => run(list.core), { iterations: 200, warmup: 20 }),
        targetMs,
        explain: { database: list.database, run },
      });
    }
  } finally {
    await Promise.all([small.core.close(), list.core.close(), large.core.close()]);
  }
  return rows;
}

/** One bcrypt hash on this thread, the unit the bulk create is compared against. */
function oneHashMs(samples = 5): Summary {
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const start = performance.now();
    bcrypt.hashSync(`reference-password-${i}`, rounds);
    times.push(performance.now() - start);
  }
  return summarize(times);
}

/** 100 hashes on the core's own hashing pool, nothing else: what bulk create cannot beat. */
async function poolFloorMs(): Promise<number> {
  const hasher = new WorkerPasswordHasher({ bcryptRounds: rounds, workers: cores });
  try {
    await Promise.all(Array.from({ length: cores }, () => hasher.hash('start-the-threads')));
    const start = performance.now();
    await Promise.all(Array.from({ length: 100 }, (_, i) => hasher.hash(`pool-password-${i}`)));
    return performance.now() - start;
  } finally {
    await hasher.close();
  }
}

interface BulkResult {
  row: Row;
  hash: Summary;
  expectedMs: number;
  poolMs: number;
}

async function bulkRow(): Promise<BulkResult> {
  const hash = oneHashMs();
  const expectedMs = (100 * hash.medianMs) / cores;
  const poolMs = await poolFloorMs();
  const database = 'bench_10k';
  const core = await openBenchCore(database, { bcryptRounds: rounds, cacheEnabled: false, limiterEnabled: false });
  try {
    let run = 0;
    const summary = await measure(
      async () => {
        run += 1;
        const tag = `bulk_${process.pid}_${run}`;
        const inputs = Array.from({ length: 100 }, (_, i) => ({
          email: `${tag}_${i}@example.com`,
          username: `${tag}_${i}`,
          password: `bulk-password-${i}`,
        }));
        await core.services.users.bulkCreate(inputs);
      },
      { iterations: bulkIterations, warmup: 0 },
    );
    const row = { name: `bulk create 100 users, bcrypt cost ${rounds}`, dataset: '10k', summary };
    return { row, hash, expectedMs, poolMs };
  } finally {
    await core.close();
    // Leave the dataset at its seeded size for the next run.
    await withClient(database, (client) => client.query("DELETE FROM users WHERE username LIKE 'bulk\\_%'"));
  }
}

const verdict = (row: Row) =>
  row.targetMs === undefined ? 'info' : row.summary.medianMs <= row.targetMs ? 'met' : 'MISSED';

async function main(): Promise<void> {
  const machine = await describeMachine(benchDatabaseUrl('postgres'));
  console.log(`# bench:core\n\nMachine: ${formatMachine(machine)}`);
  const loadBefore = loadavg()[0]!;
  const rows = await queryRows();
  const bulk = await bulkRow();
  console.log(`Load average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}\n`);
  const ratio = bulk.row.summary.medianMs / bulk.expectedMs;

  printTable(
    ['operation', 'users', 'runs', 'median', 'p95', 'target (median)', 'result'],
    [...rows, bulk.row].map((row) => [
      row.name,
      row.dataset,
      String(row.summary.iterations),
      formatMs(row.summary.medianMs),
      formatMs(row.summary.p95Ms),
      row === bulk.row ? `≤ 1.1 × ${formatMs(bulk.expectedMs)}` : row.targetMs === undefined ? '-' : `≤ ${row.targetMs} ms`,
      row === bulk.row ? (ratio <= 1.1 ? 'met' : 'MISSED') : verdict(row),
    ]),
  );
  console.log(
    `\nOne bcrypt hash at cost ${rounds} on one thread: median ${formatMs(bulk.hash.medianMs)} ` +
      `(${bulk.hash.iterations} runs). 100 hashes ÷ ${cores} cores = ${formatMs(bulk.expectedMs)}; ` +
      `bulk create took ${ratio.toFixed(2)} × that.\n` +
      `Control: 100 hashes alone on the core's pool of ${cores} threads took ${formatMs(bulk.poolMs)} ` +
      `(${((100 * bulk.hash.medianMs) / bulk.poolMs).toFixed(2)} × one thread's speed); bulk create took ` +
      `${(bulk.row.summary.medianMs / bulk.poolMs).toFixed(2)} × the pool alone.`,
  );

  const toExplain = rows.filter((row) => row.explain && (explainAll || verdict(row) === 'MISSED'));
  if (toExplain.length > 0) {
    console.log('\n## Query plans' + (explainAll ? '' : ' of missed targets'));
    for (const row of toExplain) {
      const recorder = await openRecordingCore(row.explain!.database);
      try {
        await printPlans(row.explain!.database, recorder, `${row.name} (${row.dataset})`, row.explain!.run);
      } finally {
        await recorder.core.close();
      }
    }
  }
}

await main();
