/**
 * CPU per request of `GET /auth/me`: the Express adapter (cache off, memory, Redis) against
 * the bare Express + pg + jsonwebtoken app, measured in the same run from each server
 * process's own CPU time (/proc/<pid>/stat), which a shared, loaded machine disturbs far less
 * than requests per second. The bare app's PostgreSQL work happens in the database server
 * and is NOT counted, so the ratio understates the cached path's advantage.
 *
 *   node --import tsx bench/http-cpu.ts
 *
 * Environment: DATABASE_URL (server), BENCH_HTTP_DATABASE / BENCH_HTTP_USERS (default
 * bench_100k / 100,000), BENCH_REDIS_URL (default redis://127.0.0.1:6379/0, fresh key
 * prefix), BENCH_CPU_SECONDS (per measurement, default 8), BENCH_CPU_MODES (default
 * off,memory,redis). Linux only (reads /proc).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { benchDatabaseUrl, ensureSeeded, openBenchCore } from './lib/bench-database';
import { startChildServer } from './lib/child-server';
import { describeMachine, formatMachine } from './lib/machine';
import { printTable } from './lib/table';

const DATABASE = process.env.BENCH_HTTP_DATABASE ?? 'bench_100k';
const USERS = Number(process.env.BENCH_HTTP_USERS ?? 100_000);
const seconds = Number(process.env.BENCH_CPU_SECONDS ?? 8);
const modes = (process.env.BENCH_CPU_MODES ?? 'off,memory,redis').split(',');
const secretKey = 'bench-only-secret-key-0123456789-abcdefghijklmnop';
const ADMIN = { email: 'bench_admin@example.com', username: 'bench_admin', password: 'bench-admin-password' };

/** User + system CPU of a process so far, in milliseconds (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function token(): Promise<string> {
  const core = await openBenchCore(DATABASE, { secretKey, bcryptRounds: 4, cacheEnabled: false, limiterEnabled: false });
  try {
    await ensureSeeded(core, DATABASE, USERS);
    await core.services.users.ensureSuperuser(ADMIN);
    return (await core.services.auth.login({ username: ADMIN.username, password: ADMIN.password })).accessToken;
  } finally {
    await core.close();
  }
}

async function measure(kind: string, cache: string, accessToken: string): Promise<{ cpu: number; rps: number }> {
  const server = await startChildServer(kind, {
    BENCH_DB_URL: benchDatabaseUrl(DATABASE),
    SECRET_KEY: secretKey,
    BCRYPT_ROUNDS: '4',
    BENCH_CACHE: cache,
    BENCH_REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
    BENCH_REDIS_PREFIX: `bench-cpu:${process.pid}:${Date.now()}:`,
  });
  try {
    const options = { url: `${server.url}/api/v1/auth/me`, connections: 4, headers: { authorization: `Bearer ${accessToken}` } };
    await autocannon({ ...options, duration: 2 }); // warm-up: JIT, pools, caches filled
    const before = cpuMs(server.process.pid!);
    const result = await autocannon({ ...options, duration: seconds });
    const used = cpuMs(server.process.pid!) - before;
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${kind} (${cache}): ${result.non2xx} non-2xx, ${result.errors} errors`);
    return { cpu: used / result.requests.total, rps: result.requests.average };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  console.log(`# bench:http-cpu\n\nMachine: ${formatMachine(await describeMachine(benchDatabaseUrl('postgres')))}`);
  const loadBefore = loadavg()[0]!;
  const accessToken = await token();
  const bare = await measure('bare', 'off', accessToken);
  const rows: string[][] = [['bare (pg + jsonwebtoken)', '-', bare.cpu.toFixed(3), bare.rps.toFixed(0), '1.00']];
  for (const mode of modes) {
    const express = await measure('express', mode, accessToken);
    rows.push(['express adapter', mode, express.cpu.toFixed(3), express.rps.toFixed(0), (bare.cpu / express.cpu).toFixed(2)]);
  }
  printTable(['server', 'cache', 'CPU ms / request', 'req/s (noisy)', 'bare CPU ÷ this CPU'], rows);
  console.log(`\nLoad average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}`);
}

await main();
