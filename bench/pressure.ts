/**
 * Logins under pressure, over HTTP against the example server (`examples/server`, Express,
 * PostgreSQL + Redis, default bcrypt cost): what the issue measured by hand.
 *
 *   npm run bench:pressure
 *
 * (a) Single admin logins, one after another, while the superuser's 100-user bulk create runs.
 * (b) 300 unknown-user logins at once from 300 client addresses (X-Forwarded-For, the server
 *     runs with TRUST_PROXY=true), with a legitimate login every half hash during the flood and
 *     five right after it.
 * Every latency is a multiple of one hash measured in the same run: the median of 7 admin
 * logins on the idle server (one bcrypt verify plus a few ms of HTTP and SQL). Each login
 * comes from its own address, so the per-IP login limit (10 / 5 min) never answers 429.
 *
 * Environment: DATABASE_URL (server; database bench_pressure is dropped and re-created),
 * REDIS_URL (default redis://127.0.0.1:6379/12; keys get a per-run prefix), BCRYPT_ROUNDS
 * (default 12), HASH_QUEUE_MAX_WAIT_MS (passed to the server when set), REQUEST_TIMEOUT_MS (default
 * 120000 here, so the bulk finishes on a loaded machine), HASH_WORKERS (the server's threads),
 * BENCH_PRESSURE_SERVER_LOG (a file that receives the server's whole log).
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../packages/core/src/testing/wait-for';
import { benchDatabaseUrl, withClient } from './lib/bench-database';
import { describeMachine, formatMachine } from './lib/machine';
import { percentile, summarize } from './lib/measure';
import { printTable } from './lib/table';
import { freePort } from '../packages/core/src/testing/free-port';

const DATABASE = 'bench_pressure';
const FLOOD = 300;
const ADMIN = { email: 'pressure_admin@example.com', username: 'pressure_admin', password: 'pressure-admin-password-7' };
const MAIN = fileURLToPath(new URL('../examples/server/src/main.ts', import.meta.url));
const THREADS = Number(process.env.HASH_WORKERS ?? availableParallelism());

/** One login's fate: its status and how long it took. */
interface Outcome {
  status: number;
  ms: number;
}

const clientIp = (() => {
  let next = 1;
  // 198.18.0.0/15 is the benchmarking range (RFC 2544): one fresh address per request.
  return () => {
    const n = next++;
    return `198.18.${(n >> 8) & 255}.${n & 255}`;
  };
})();

async function startServer(env: Record<string, string>) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const errors: string[] = [];
  let exited = false;
  child.once('exit', () => (exited = true));
  // The request log is one JSON line per request; keep only what went wrong (and all of it
  // in BENCH_PRESSURE_SERVER_LOG when set, to see where a request's time went).
  if (process.env.BENCH_PRESSURE_SERVER_LOG) child.stdout!.pipe(createWriteStream(process.env.BENCH_PRESSURE_SERVER_LOG, { flags: 'a' }));
  // The server's own duration of each 503, to tell time spent in the server from the client's.
  const refusalsMs: number[] = [];
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (/"level":"(error|fatal)"/.test(line)) errors.push(line.slice(0, 300));
      const refusal = /"status":503,"duration_ms":([0-9.]+)/.exec(line);
      if (refusal) refusalsMs.push(Number(refusal[1]));
    }
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (exited) throw new Error('the example server exited before it was ready');
    return fetch(`${url}/health`).then((r) => r.ok, () => false);
  }, { timeoutMs: 120_000, intervalMs: 100, message: 'the example server answers /health' });
  const stop = () =>
    new Promise<void>((done) => {
      if (exited) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  return { url, errors, refusalsMs, stop };
}

async function login(url: string, username: string, password: string): Promise<Outcome & { token?: string }> {
  const start = performance.now();
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': clientIp() },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json()) as { access_token?: string };
  return { status: response.status, ms: performance.now() - start, token: body.access_token };
}

const adminLogin = (url: string) => login(url, ADMIN.username, ADMIN.password);
const x = (ms: number, unit: number) => (Number.isFinite(ms / unit) ? `${(ms / unit).toFixed(2)} ×` : '-');
const p99 = (values: number[]) => percentile([...values].sort((a, b) => a - b), 0.99);
const ok = (outcomes: Outcome[]) => outcomes.filter((o) => o.status === 200).map((o) => o.ms);
const count = (outcomes: Outcome[], status: number) => outcomes.filter((o) => o.status === status).length;

/** Statuses other than the expected ones, e.g. `429 × 3, 500 × 1`. */
function others(outcomes: Outcome[], expected: number[]): string {
  const counts = new Map<number, number>();
  for (const { status } of outcomes) if (!expected.includes(status)) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${status} × ${n}`).join(', ') || 'none';
}

/** Median of 7 sequential admin logins on the idle server, after 2 untimed ones. */
async function oneHashMs(url: string): Promise<number> {
  for (let i = 0; i < 2; i++) await adminLogin(url);
  const samples: number[] = [];
  for (let i = 0; i < 7; i++) {
    const outcome = await adminLogin(url);
    if (outcome.status !== 200) throw new Error(`idle admin login answered ${outcome.status}`);
    samples.push(outcome.ms);
  }
  return summarize(samples).medianMs;
}

async function duringBulk(url: string, unit: number, run: string): Promise<void> {
  const { token } = await adminLogin(url);
  const users = Array.from({ length: 100 }, (_, i) => ({
    email: `bulk_${run}_${i}@example.com`,
    username: `bulk_${run}_${i}`,
    password: `Bulk-${run}-password-${i}`,
  }));
  let done = false;
  const bulkStart = performance.now();
  const bulk = fetch(`${url}/api/v1/users/bulk`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(users),
  }).then(async (response) => {
    await response.arrayBuffer();
    done = true;
    return { status: response.status, ms: performance.now() - bulkStart };
  });
  const logins: Outcome[] = [];
  while (!done) logins.push(await adminLogin(url));
  const { status, ms } = await bulk;
  const answered = ok(logins);
  // One hash inside this run: the bulk's and the logins' hashes kept every thread busy until
  // the bulk was done, which takes the machine's load out and leaves the queueing.
  const inRun = status === 201 ? (ms * THREADS) / (100 + logins.length) : Number.NaN;
  console.log('## Single admin logins while the superuser bulk-creates 100 users\n');
  printTable(
    ['logins', '200', 'median', 'p99 (target ≤ 3 ×)', 'p99 × hash in this run', 'max', '503', '504', 'other', 'bulk answered'],
    [[
      String(logins.length),
      String(answered.length),
      x(summarize(answered).medianMs, unit),
      x(p99(answered), unit),
      x(p99(answered), inRun),
      x(Math.max(...answered), unit),
      String(count(logins, 503)),
      String(count(logins, 504)),
      others(logins, [200, 503, 504]),
      `${status} in ${(ms / 1000).toFixed(1)} s`,
    ]],
  );
}

type Server = Awaited<ReturnType<typeof startServer>>;

/**
 * The reference for "at once": 300 logins at once that the server refuses at validation (422,
 * no database, no hash), from 300 addresses. What they take at the client is the cost of 300
 * simultaneous requests on this machine now, which no queue can go below.
 */
async function burstReferenceMs(url: string): Promise<number> {
  const outcomes = await Promise.all(
    Array.from({ length: FLOOD }, async () => {
      const start = performance.now();
      const response = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': clientIp() },
        body: '{}',
      });
      await response.arrayBuffer();
      return { status: response.status, ms: performance.now() - start };
    }),
  );
  if (outcomes.some((o) => o.status !== 422)) throw new Error(`reference burst: ${others(outcomes, [422])}`);
  return Math.max(...outcomes.map((o) => o.ms));
}

async function duringFlood(server: Server, unit: number, limit: string): Promise<void> {
  const { url } = server;
  const referenceMs = await burstReferenceMs(url);
  const refusalsBefore = server.refusalsMs.length;
  const floodStart = performance.now();
  let floodMs = 0;
  let settled = false;
  const flood = Promise.all(
    Array.from({ length: FLOOD }, (_, i) => login(url, `nobody_${i}_${randomBytes(3).toString('hex')}`, 'guessed-password-1')),
  ).then((outcomes) => {
    settled = true;
    floodMs = performance.now() - floodStart;
    return outcomes;
  });
  const legit: Promise<Outcome>[] = [];
  for (let i = 0; !settled && i < 40; i++) {
    legit.push(adminLogin(url));
    await sleep(unit / 2);
  }
  const floodOutcomes = await flood;
  const during = await Promise.all(legit);
  const after: Outcome[] = [];
  for (let i = 0; i < 5; i++) after.push(await adminLogin(url));
  const shedMs = (outcomes: Outcome[]) => outcomes.filter((o) => o.status === 503).map((o) => o.ms);
  const slowest503 = Math.max(0, ...shedMs(during), ...shedMs(after));
  const legitAnswered = ok(during);
  // One hash inside this run: the flood's admitted logins and the legitimate ones kept every
  // thread busy until the flood settled.
  const inRun = (floodMs * THREADS) / (count(floodOutcomes, 401) + legitAnswered.length);
  console.log(`\n## ${FLOOD} unknown-user logins at once from ${FLOOD} addresses, HASH_QUEUE_MAX_WAIT_MS=${limit}; a legitimate login every half hash\n`);
  printTable(
    ['who', 'requests', '401', '200', 'p99 of 200 (target ≤ 3 ×)', '× hash in this run', '503', 'slowest 503', '504 (target 0)', 'other'],
    [
      ['flood', String(FLOOD), String(count(floodOutcomes, 401)), '-', '-', '-', String(count(floodOutcomes, 503)), x(Math.max(0, ...shedMs(floodOutcomes)), unit), String(count(floodOutcomes, 504)), others(floodOutcomes, [401, 503, 504])],
      ['legit, during', String(during.length), '-', String(legitAnswered.length), x(p99(legitAnswered), unit), x(p99(legitAnswered), inRun), String(count(during, 503)), x(Math.max(0, ...shedMs(during)), unit), String(count(during, 504)), others(during, [200, 503, 504])],
      ['legit, right after', String(after.length), '-', String(ok(after).length), x(p99(ok(after)), unit), '-', String(count(after, 503)), x(Math.max(0, ...shedMs(after)), unit), String(count(after, 504)), others(after, [200, 503, 504])],
    ],
  );
  const atServer = server.refusalsMs.slice(refusalsBefore).sort((a, b) => a - b);
  console.log(
    `\nThe flood settled in ${(floodMs / 1000).toFixed(1)} s (${(floodMs / unit).toFixed(1)} hashes); slowest legitimate 503: ${slowest503.toFixed(0)} ms. ` +
      `503s as the server timed them (${atServer.length}): median ${percentile(atServer, 0.5).toFixed(0)} ms, p90 ${percentile(atServer, 0.9).toFixed(0)} ms, max ${Math.max(0, ...atServer).toFixed(0)} ms. ` +
      `Reference, ${FLOOD} logins at once refused at validation (422): slowest ${referenceMs.toFixed(0)} ms at the client, so the slowest 503 is ${(slowest503 / referenceMs).toFixed(2)} × that.`,
  );
}

async function main(): Promise<void> {
  const machine = await describeMachine(benchDatabaseUrl('postgres'));
  const loadBefore = loadavg()[0]!;
  await withClient('postgres', async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${DATABASE}`);
  });
  const run = randomBytes(4).toString('hex');
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    DATABASE_URL: benchDatabaseUrl(DATABASE),
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/12',
    REDIS_KEY_PREFIX: `bench-pressure-${run}:`,
    // Long enough for the bulk to finish on a loaded machine, so its logins are measured to
    // the end and the in-run hash can be worked out (the default 30 s answers it 504 there).
    REQUEST_TIMEOUT_MS: process.env.REQUEST_TIMEOUT_MS ?? '120000',
    SECRET_KEY: process.env.SECRET_KEY ?? 'bench-only-secret-key-0123456789-abcdefghijklmnop',
    TRUST_PROXY: 'true',
    FIRST_SUPERUSER_EMAIL: ADMIN.email,
    FIRST_SUPERUSER_USERNAME: ADMIN.username,
    FIRST_SUPERUSER_PASSWORD: ADMIN.password,
  };
  let server = await startServer(env);
  try {
    const health = (await (await fetch(`${server.url}/health`)).json()) as Record<string, unknown>;
    console.log(`# bench:pressure\n\nMachine: ${formatMachine(machine)}`);
    console.log(`Example server (Express), PostgreSQL + Redis, bcrypt cost ${process.env.BCRYPT_ROUNDS ?? '12 (default)'}, ${THREADS} hashing threads, REQUEST_TIMEOUT_MS=${env.REQUEST_TIMEOUT_MS}; /health: ${JSON.stringify(health)}`);
    const unit = await oneHashMs(server.url);
    console.log(`One hash (median of 7 admin logins on the idle server): ${unit.toFixed(1)} ms — the unit below.\n`);
    await duringBulk(server.url, unit, run);
    await duringFlood(server, unit, process.env.HASH_QUEUE_MAX_WAIT_MS ?? '5000 (default)');
    reportErrors(server.errors);
    // The same flood with the queue limit at two hashes: what an operator who wants every
    // admitted login within 3 × one hash would set.
    await server.stop();
    const twoHashes = String(Math.round(2 * unit));
    server = await startServer({ ...env, HASH_QUEUE_MAX_WAIT_MS: twoHashes, REDIS_KEY_PREFIX: `bench-pressure-${run}-2:` });
    for (let i = 0; i < 2; i++) await adminLogin(server.url); // threads up
    await duringFlood(server, unit, `${twoHashes} (2 hashes)`);
    reportErrors(server.errors);
    console.log(`\nLoad average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}`);
  } finally {
    await server.stop();
  }
}

function reportErrors(errors: string[]): void {
  const refusals = errors.filter((line) => line.includes('overloaded')).length;
  console.log(`\nServer error lines: ${errors.length}, of which ${refusals} are 503 refusals logged with a stack.`);
  const other = errors.filter((line) => !line.includes('overloaded'));
  if (other.length > 0) console.log(other.slice(0, 5).join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
