/**
 * HTTP benchmark: the Express, Koa and Fastify adapters against a bare Express + pg app doing the
 * same SQL and JWT check, then `/health` latency while logins saturate the hashing pool.
 *
 *   npm run bench:http
 *
 * Every server runs in its own child process (fairer on a small machine than sharing the
 * load generator's event loop) on the built packages (`npm run build` first, or
 * BENCH_SOURCE=1 for the sources through tsx); autocannon runs in this process, one target
 * at a time.
 * Environment: DATABASE_URL (server; database bench_100k is used), BCRYPT_ROUNDS (default
 * 12), BENCH_HTTP_SECONDS (per measurement, default 10), BENCH_HTTP_CONNECTIONS (default 10),
 * BENCH_HTTP_ROUNDS (default 2; the order of the servers rotates each round),
 * BENCH_HTTP_WARMUP_SECONDS (untimed load before each target's first run, default 2),
 * BENCH_HTTP_CACHE (`off`, the default, `memory` or `redis`: the adapters' cache, which also
 * holds the authenticated session lookup; `redis` uses BENCH_REDIS_URL, default
 * redis://127.0.0.1:6379/0, under a fresh key prefix), BENCH_HTTP_SERVERS (a comma list of
 * express,koa,fastify; bare always runs), BENCH_HTTP_DATABASE and BENCH_HTTP_USERS (default
 * bench_100k with 100,000 users), BENCH_HTTP_HEALTH=0 (skip /health under logins).
 * Besides bare, a `floor` server runs: plain Express replaying the first adapter's answers
 * byte for byte (no core, no SQL, no JWT), the ceiling any Express-hosted API could reach.
 */
import { loadavg } from 'node:os';
import autocannon, { type AutocannonResult } from 'autocannon';
import { benchDatabaseUrl, ensureSeeded, openBenchCore, withClient } from './lib/bench-database';
import { startChildServer, type ChildServer } from './lib/child-server';
import { measureHealthUnderLogins } from './lib/health-under-load';
import { describeMachine, formatMachine } from './lib/machine';
import { printTable } from './lib/table';

const DATABASE = process.env.BENCH_HTTP_DATABASE ?? 'bench_100k';
const USERS = Number(process.env.BENCH_HTTP_USERS ?? 100_000);
const cacheMode = process.env.BENCH_HTTP_CACHE ?? 'off';
if (!['off', 'memory', 'redis'].includes(cacheMode)) throw new Error(`BENCH_HTTP_CACHE must be off, memory or redis, not ${cacheMode}`);
const seconds = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const connections = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 10);
const rounds = Number(process.env.BENCH_HTTP_ROUNDS ?? 2);
const warmupSeconds = Number(process.env.BENCH_HTTP_WARMUP_SECONDS ?? 2);
const bcryptRounds = Number(process.env.BCRYPT_ROUNDS ?? 12);
const secretKey = process.env.SECRET_KEY ?? 'bench-only-secret-key-0123456789-abcdefghijklmnop';
const ADMIN = { email: 'bench_admin@example.com', username: 'bench_admin', password: 'bench-admin-password' };
const ENDPOINTS = ['/api/v1/auth/me', '/api/v1/users?size=20'] as const;
const ADAPTERS = (process.env.BENCH_HTTP_SERVERS ?? 'express,koa,fastify').split(',').filter((kind) => ['express', 'koa', 'fastify'].includes(kind));
// `floor`: Express replaying the first adapter's answers, the most any adapter could reach.
const KINDS = [...ADAPTERS, 'bare', 'floor'];

/** Seeds (or reuses) bench_100k, makes the admin, and returns a token of a fresh session. */
async function prepare(): Promise<string> {
  const core = await openBenchCore(DATABASE, { secretKey, bcryptRounds, cacheEnabled: false, limiterEnabled: false });
  try {
    await ensureSeeded(core, DATABASE, USERS);
    await withClient(DATABASE, (client) => client.query('DELETE FROM sessions'));
    await core.services.users.ensureSuperuser(ADMIN);
    // Past LIST_EXACT_COUNT_LIMIT the adapters' total is the planner's estimate; a fresh
    // ANALYZE makes it the row count bare counts, admin included (checkAnswers compares them).
    await withClient(DATABASE, (client) => client.query('ANALYZE users'));
    const login = await core.services.auth.login({ username: ADMIN.username, password: ADMIN.password });
    return login.accessToken;
  } finally {
    await core.close();
  }
}

/** Fails loudly when a server answers anything but 200 with the same totals as the others. */
async function checkAnswers(servers: ChildServer[], token: string): Promise<void> {
  const totals = new Set<number>();
  for (const server of servers) {
    for (const path of ENDPOINTS) {
      const response = await fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } });
      const body = (await response.json()) as { total?: number; items?: unknown[] };
      if (response.status !== 200) throw new Error(`${server.kind} ${path}: HTTP ${response.status} ${JSON.stringify(body)}`);
      if (path.startsWith('/api/v1/users')) {
        if (body.items?.length !== 20) throw new Error(`${server.kind} ${path}: ${body.items?.length} items`);
        totals.add(body.total!);
      }
    }
  }
  if (totals.size !== 1) throw new Error(`servers disagree on the user count: ${[...totals].join(', ')}`);
}

/** What `server` answers on each measured path (headers that belong to one connection left out), for the floor. */
async function recordReplies(server: ChildServer, token: string): Promise<Record<string, { headers: Record<string, string>; body: string }>> {
  const replies: Record<string, { headers: Record<string, string>; body: string }> = {};
  for (const path of ENDPOINTS) {
    const response = await fetch(server.url + path, { headers: auth(token) });
    const headers = Object.fromEntries([...response.headers].filter(([name]) => !['date', 'connection', 'keep-alive', 'transfer-encoding', 'x-powered-by'].includes(name)));
    replies[path] = { headers, body: await response.text() };
  }
  return replies;
}

type Key = `${string} ${string}`;

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function compareServers(servers: ChildServer[], token: string): Promise<Map<Key, AutocannonResult[]>> {
  const results = new Map<Key, AutocannonResult[]>();
  for (let round = 0; round < rounds; round += 1) {
    const order = servers.map((_, i) => servers[(i + round) % servers.length]!);
    for (const path of ENDPOINTS) {
      for (const server of order) {
        if (round === 0) {
          // Untimed: lets V8 optimise the path and the pools open their connections.
          await autocannon({ url: server.url + path, connections, duration: warmupSeconds, headers: auth(token) });
        }
        const result = await autocannon({
          url: server.url + path,
          connections,
          duration: seconds,
          headers: auth(token),
        });
        if (result.non2xx > 0 || result.errors > 0) {
          throw new Error(`${server.kind} ${path}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        }
        const key: Key = `${server.kind} ${path}`;
        results.set(key, [...(results.get(key) ?? []), result]);
        process.stderr.write(`  round ${round + 1} ${key}: ${result.requests.average.toFixed(0)} req/s\n`);
      }
    }
  }
  return results;
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

function printComparison(results: Map<Key, AutocannonResult[]>): void {
  const rows: string[][] = [];
  const summary: string[] = [];
  for (const path of ENDPOINTS) {
    const rps = (kind: string) => mean(results.get(`${kind} ${path}`)!.map((r) => r.requests.average));
    for (const kind of KINDS) {
      const runs = results.get(`${kind} ${path}`)!;
      rows.push([
        path,
        kind,
        rps(kind).toFixed(0),
        `${mean(runs.map((r) => r.latency.p50)).toFixed(1)} ms`,
        `${mean(runs.map((r) => r.latency.p99)).toFixed(1)} ms`,
        kind === 'bare' ? '1.00' : (rps(kind) / rps('bare')).toFixed(2),
      ]);
    }
    const ratios = [...ADAPTERS, 'floor'].map((kind) => `${kind}/bare ${(rps(kind) / rps('bare')).toFixed(2)}`).join(', ');
    const koaExpress = ADAPTERS.includes('koa') && ADAPTERS.includes('express') ? `; koa/express ${(rps('koa') / rps('express')).toFixed(2)} (target 0.90–1.10)` : '';
    summary.push(`${path}: ${ratios}${koaExpress}`);
  }
  printTable(['endpoint', 'server', 'req/s', 'p50', 'p99', '× bare'], rows);
  console.log(`\n${summary.join('\n')}`);
}

async function main(): Promise<void> {
  const machine = await describeMachine(benchDatabaseUrl('postgres'));
  console.log(`# bench:http\n\nMachine: ${formatMachine(machine)}`);
  console.log(`Dataset: ${DATABASE} (${USERS.toLocaleString('en')} users). ${connections} connections, ${seconds} s per run, ${rounds} rounds.`);
  console.log(`Servers: one child process each; cache ${cacheMode} and rate limiter off in the adapters.\n`);
  const token = await prepare();
  const env = {
    BENCH_DB_URL: benchDatabaseUrl(DATABASE),
    SECRET_KEY: secretKey,
    BCRYPT_ROUNDS: String(bcryptRounds),
    BENCH_CACHE: cacheMode,
    BENCH_REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
    BENCH_REDIS_PREFIX: `bench:${process.pid}:${Date.now()}:`,
  };
  const servers: ChildServer[] = [];
  try {
    for (const kind of KINDS.filter((kind) => kind !== 'floor')) servers.push(await startChildServer(kind, env));
    await checkAnswers(servers, token);
    servers.push(await startChildServer('floor', { ...env, BENCH_FLOOR_REPLIES: JSON.stringify(await recordReplies(servers[0]!, token)) }));
    const loadBefore = loadavg()[0]!;
    printComparison(await compareServers(servers, token));
    console.log(`Load average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}`);

    const express = servers.find((server) => server.kind === 'express');
    if (!express || process.env.BENCH_HTTP_HEALTH === '0') return;
    console.log(`\n## GET /health while logins (bcrypt cost ${bcryptRounds}) saturate the hashing pool (Express adapter)\n`);
    await measureHealthUnderLogins(express.url, { username: ADMIN.username, password: ADMIN.password }, seconds);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

await main();
