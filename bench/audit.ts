/**
 * Audit trail benchmark (docs/PERFORMANCE.md "Audit events"): on PostgreSQL, the query route's
 * pages at 1M events (first, filtered, deep cursor) against references measured in the same
 * run (a primary-key lookup, the same page without its index, OFFSET paging), the retention
 * purge against concurrent inserts, signups per day at 1M users, and a locked-out login flood
 * on SQLite and PostgreSQL (sampled against every refusal written). Prints Markdown tables.
 *
 *   npm run bench:audit
 *
 * Environment: DATABASE_URL (server; databases bench_audit and bench_1m are created),
 * BENCH_AUDIT_EVENTS (default 1000000), BENCH_SIGNUP_USERS (default 1000000; 0 skips),
 * BENCH_FLOOD_SECONDS (default 5), BENCH_EXPLAIN=0 (skip the plans).
 */
import { loadavg } from 'node:os';
import type { Core } from '@app/core';
import { encodeAuditCursor } from '../packages/core/src/audit/audit-event';
import { ensureAuditEvents } from './lib/audit-dataset';
import { benchDatabaseUrl, ensureSeeded, openBenchCore, withClient } from './lib/bench-database';
import { explainAnalyze, openRecordingCore } from './lib/explain';
import { runFloods } from './lib/lockout-flood';
import { describeMachine, formatMachine } from './lib/machine';
import { formatMs, measure, summarize, type Summary } from './lib/measure';
import { printTable } from './lib/table';

const events = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
const signupUsers = Number(process.env.BENCH_SIGNUP_USERS ?? 1_000_000);
const floodSeconds = Number(process.env.BENCH_FLOOD_SECONDS ?? 5);
const explain = process.env.BENCH_EXPLAIN !== '0';
const AUDIT_DB = 'bench_audit';
const DEPTH = Math.floor(events * 0.9);

interface Line {
  name: string;
  summary: Summary;
  /** The statement the service sent, for EXPLAIN and the raw timing. */
  sql?: string;
  raw?: Summary;
}

const ratio = (a: Summary, b: Summary) => `${(a.medianMs / b.medianMs).toFixed(1)} ×`;

/** The cursor of the event `offset` places below the newest one matching `where`. */
async function cursorAt(offset: number, where = 'TRUE'): Promise<string> {
  const rows = await withClient(AUDIT_DB, (client) =>
    client.query<{ occurred_at: Date; id: number }>(
      `SELECT occurred_at, id FROM audit_events WHERE ${where} ORDER BY occurred_at DESC, id DESC OFFSET $1 LIMIT 1`,
      [offset],
    ),
  );
  return encodeAuditCursor(rows.rows[0]!);
}

/** Times `sql` on a plain pg client, optionally with settings applied in its transaction. */
function timeSql(sql: string, settings: string[] = [], iterations = 100): Promise<Summary> {
  return withClient(AUDIT_DB, async (client) => {
    await client.query('BEGIN');
    for (const setting of settings) await client.query(`SET LOCAL ${setting}`);
    const summary = await measure(() => client.query(sql), { iterations, warmup: 5 });
    await client.query('ROLLBACK');
    return summary;
  });
}

async function queryLines(): Promise<{ lines: Line[]; references: Array<[string, Summary]> }> {
  const core = await openBenchCore(AUDIT_DB, { cacheEnabled: false, limiterEnabled: false, bcryptRounds: 4 });
  await ensureAuditEvents(AUDIT_DB, events);
  const recorder = await openRecordingCore(AUDIT_DB);
  const deep = await cursorAt(DEPTH);
  const deepFailed = await cursorAt(Math.floor(events * 0.18), "type = 'login.failed'");
  const deepLocked = await cursorAt(Math.floor(events * 0.0009), "type = 'login.locked'");
  const day = (await withClient(AUDIT_DB, (c) => c.query<{ at: Date }>('SELECT occurred_at AS at FROM audit_events ORDER BY id OFFSET $1 LIMIT 1', [Math.floor(events / 2)]))).rows[0]!.at;
  const queries: Array<[string, Record<string, unknown>]> = [
    ['first page (size 50)', { size: 50 }],
    ['type=login.failed (20 %), first page', { type: 'login.failed', size: 50 }],
    ['type=login.locked (0.1 %), first page', { type: 'login.locked', size: 50 }],
    ['actor_user_id=4242, first page', { actor_user_id: 4242, size: 50 }],
    ['subject_user_id=4242, first page', { subject_user_id: 4242, size: 50 }],
    ['since/until one day, first page', { since: day.toISOString(), until: new Date(day.getTime() + 86_400_000).toISOString(), size: 50 }],
    [`deep cursor (${DEPTH.toLocaleString('en')} newer events)`, { size: 50, cursor: deep }],
    ['type=login.failed, deep cursor (90 % of that type)', { type: 'login.failed', size: 50, cursor: deepFailed }],
    ['type=login.locked, deep cursor (90 % of that type)', { type: 'login.locked', size: 50, cursor: deepLocked }],
  ];
  const lines: Line[] = [];
  try {
    for (const [name, query] of queries) {
      const run = (target: Core) => target.services.audit.list(query);
      const summary = await measure(() => run(core), { iterations: 200, warmup: 20 });
      const sql = (await recorder.capture(run)).find((statement) => /^\s*SELECT/i.test(statement))!.replace(/;\s*$/, '');
      lines.push({ name, summary, sql, raw: await timeSql(sql) });
    }
  } finally {
    await Promise.all([core.close(), recorder.core.close()]);
  }
  const first = lines[0]!.sql!;
  const noIndex = ['enable_indexscan = off', 'enable_indexonlyscan = off', 'enable_bitmapscan = off'];
  const references: Array<[string, Summary]> = [
    ['primary-key lookup of one event (raw SQL)', await timeSql('SELECT * FROM audit_events WHERE id = 4242')],
    ['first page without its index (raw SQL: seq scan + top-N sort)', await timeSql(first, noIndex, 10)],
    [`OFFSET ${DEPTH.toLocaleString('en')} instead of the cursor (raw SQL)`, await timeSql(first.replace(/LIMIT 51/, `LIMIT 51 OFFSET ${DEPTH}`), [], 10)],
  ];
  return { lines, references };
}

/** Inserts one event after another on a plain client until `stop`; the latency of each. */
async function insertLoop(stop: () => boolean): Promise<Summary> {
  return withClient(AUDIT_DB, async (client) => {
    const samples: number[] = [];
    while (!stop() || samples.length === 0) {
      const started = performance.now();
      await client.query(
        "INSERT INTO audit_events (type, occurred_at, ip_address, details) VALUES ('bench.insert', now(), '203.0.113.1', '{}')",
      );
      samples.push(performance.now() - started);
    }
    return summarize(samples);
  });
}

/** Adds `count` events older than the retention, purges them with the service, and times inserts meanwhile. */
async function purgeLines(count: number): Promise<Array<[string, string]>> {
  const core = await openBenchCore(AUDIT_DB, { cacheEnabled: false, limiterEnabled: false, bcryptRounds: 4 });
  try {
    await withClient(AUDIT_DB, (client) =>
      client.query(
        `INSERT INTO audit_events (type, occurred_at, subject_user_id, details)
         SELECT 'login.failed', now() - interval '400 days' - g * interval '1 second', g % 10000, '{}' FROM generate_series(1, $1) g`,
        [count],
      ),
    );
    const quietUntil = Date.now() + 2000;
    const quiet = await insertLoop(() => Date.now() > quietUntil);
    let done = false;
    const during = insertLoop(() => done);
    const started = performance.now();
    const result = await core.services.audit.purge({ batchSize: 5000 });
    const purgeMs = performance.now() - started;
    done = true;
    const loaded = await during;
    await withClient(AUDIT_DB, async (client) => {
      await client.query("DELETE FROM audit_events WHERE type = 'bench.insert'");
      // The deleted probes sit at the newest end of the indexes: vacuum them away for the next run.
      await client.query('VACUUM ANALYZE audit_events');
    });
    const batches = Math.ceil(result.deleted / 5000);
    return [
      ['events purged (older than 365 days), batches of 5000', `${result.deleted.toLocaleString('en')} in ${formatMs(purgeMs)} (${batches} batches, ${formatMs(purgeMs / batches)} each)`],
      ['single-row insert while idle: median / p95 / max', `${formatMs(quiet.medianMs)} / ${formatMs(quiet.p95Ms)} / ${formatMs(quiet.maxMs)}`],
      ['single-row insert during the purge: median / p95 / max', `${formatMs(loaded.medianMs)} / ${formatMs(loaded.p95Ms)} / ${formatMs(loaded.maxMs)}`],
    ];
  } finally {
    await core.close();
  }
}

async function signupLines(): Promise<Line[]> {
  const database = 'bench_1m';
  const core = await openBenchCore(database, { cacheEnabled: false, limiterEnabled: false, bcryptRounds: 4 });
  try {
    await ensureSeeded(core, database, signupUsers);
    const lines: Line[] = [];
    for (const days of [30, 365]) {
      const summary = await measure(() => core.services.dashboard.getSignups({ days }), { iterations: 30, warmup: 3 });
      lines.push({ name: `signups per day, days=${days}`, summary });
    }
    lines.push({ name: 'reference: dashboard stats (five indexed counts)', summary: await measure(() => core.services.dashboard.computeStats(), { iterations: 30, warmup: 3 }) });
    return lines;
  } finally {
    await core.close();
  }
}

async function main(): Promise<void> {
  console.log(`# bench:audit\n\nMachine: ${formatMachine(await describeMachine(benchDatabaseUrl('postgres')))}`);
  const loadBefore = loadavg()[0]!;
  const { lines, references } = await queryLines();
  const pk = references[0]![1];
  console.log(`\n## Query route at ${events.toLocaleString('en')} events (through AuditService.list)\n`);
  printTable(
    ['query', 'runs', 'median', 'p95', 'its SQL alone', '× PK lookup'],
    lines.map((line) => [line.name, String(line.summary.iterations), formatMs(line.summary.medianMs), formatMs(line.summary.p95Ms), formatMs(line.raw!.medianMs), ratio(line.raw!, pk)]),
  );
  console.log('\nReferences, same run:\n');
  printTable(['reference', 'runs', 'median', 'vs the indexed first page (SQL)'], references.map(([name, s]) => [name, String(s.iterations), formatMs(s.medianMs), ratio(s, lines[0]!.raw!)]));

  console.log('\n## Retention purge\n');
  printTable(['measure', 'value'], await purgeLines(Math.max(10_000, Math.floor(events / 10))));

  if (signupUsers > 0) {
    console.log(`\n## Signups per day at ${signupUsers.toLocaleString('en')} users (uncached)\n`);
    const signups = await signupLines();
    printTable(['operation', 'runs', 'median', 'p95'], signups.map((line) => [line.name, String(line.summary.iterations), formatMs(line.summary.medianMs), formatMs(line.summary.p95Ms)]));
  }

  console.log(`\n## Locked-out login flood (${floodSeconds} s per run)\n`);
  printTable(
    ['database', 'flood', 'refusals/s', 'login.locked rows', 'legit PATCH median', 'p95', 'max'],
    (await runFloods(floodSeconds)).map((row) => [row.database, row.variant, row.refusalsPerSecond, row.rows, row.median, row.p95, row.max]),
  );
  console.log(`\nLoad average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}`);

  if (explain) {
    console.log('\n## Query plans (EXPLAIN ANALYZE, BUFFERS)');
    for (const line of lines) console.log(`\n--- ${line.name} ---\n${line.sql}\n${await explainAnalyze(AUDIT_DB, line.sql!)}`);
  }
}

await main();
