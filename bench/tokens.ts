/**
 * Token benchmark: login throughput and refresh throughput through the services, each as a
 * ratio to one bcrypt hash per core measured in the same run. A login is bounded by its
 * password check (one bcrypt verification on the hashing pool); a refresh hashes nothing
 * expensive (one SHA-256, one HMAC, one JWT) and costs two statements in one transaction.
 *
 *   npm run bench:tokens
 *
 * Environment: DATABASE_URL (server; database bench_tokens is used), BCRYPT_ROUNDS (default
 * 12), BENCH_LOGINS (default 8 per core), BENCH_REFRESHES (default 2000),
 * BENCH_CONCURRENCY (requests in flight, default 16).
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import type { Core } from '@app/core';
import { benchDatabaseUrl, openBenchCore, withClient } from './lib/bench-database';
import { describeMachine, formatMachine } from './lib/machine';
import { formatMs, summarize } from './lib/measure';
import { printTable } from './lib/table';

const DATABASE = 'bench_tokens';
const rounds = Number(process.env.BCRYPT_ROUNDS ?? 12);
const cores = availableParallelism();
const logins = Number(process.env.BENCH_LOGINS ?? 8 * cores);
const refreshes = Number(process.env.BENCH_REFRESHES ?? 2000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const PASSWORD = 'bench-tokens-password';

interface Throughput {
  count: number;
  seconds: number;
  perSecond: number;
}

/**
 * Runs `count` operations with `inFlight` workers, each calling `operation(worker)` one call
 * after the other; the wall-clock rate of the whole batch.
 */
async function throughput(count: number, inFlight: number, operation: (worker: number) => Promise<void>): Promise<Throughput> {
  let started = 0;
  const start = performance.now();
  const worker = async (id: number) => {
    while (started < count) {
      started += 1;
      await operation(id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, (_, id) => worker(id)));
  const seconds = (performance.now() - start) / 1000;
  return { count, seconds, perSecond: count / seconds };
}

/** One bcrypt hash at the configured cost on this thread: the unit of the reference. */
function oneHashMs(samples = 5): number {
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const start = performance.now();
    bcrypt.hashSync(`reference-password-${i}`, rounds);
    times.push(performance.now() - start);
  }
  return summarize(times).medianMs;
}

async function prepare(core: Core): Promise<string> {
  await withClient(DATABASE, (client) => client.query('TRUNCATE users, sessions RESTART IDENTITY CASCADE'));
  const user = await core.services.users.createUser({ email: 'bench_tokens@example.com', username: 'bench_tokens', password: PASSWORD });
  // Warm the hashing pool's threads and the statements, untimed.
  await Promise.all(Array.from({ length: cores }, () => core.services.auth.login({ username: user.username, password: PASSWORD })));
  return user.username;
}

async function main(): Promise<void> {
  const machine = await describeMachine(benchDatabaseUrl('postgres'));
  console.log(`# bench:tokens\n\nMachine: ${formatMachine(machine)}`);
  const loadBefore = loadavg()[0]!;
  const hashMs = oneHashMs();
  const hashesPerSecond = (cores * 1000) / hashMs;

  // Lockout and per-route limits off: only the work itself is measured.
  const core = await openBenchCore(DATABASE, { bcryptRounds: rounds, hashWorkers: cores, limiterEnabled: false, cacheEnabled: false });
  try {
    const username = await prepare(core);
    const chains: string[] = [];
    const login = await throughput(logins, concurrency, async () => {
      chains.push((await core.services.auth.login({ username, password: PASSWORD })).refreshToken);
    });
    // Each worker owns one session and spends its token, then the next one, as a client does.
    const refresh = await throughput(refreshes, Math.min(concurrency, chains.length), async (worker) => {
      chains[worker] = (await core.services.auth.refresh({ refresh_token: chains[worker]! })).refreshToken;
    });
    console.log(`Load average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}\n`);
    const row = (name: string, result: Throughput) => [
      name,
      String(result.count),
      String(concurrency),
      `${result.seconds.toFixed(2)} s`,
      `${result.perSecond.toFixed(1)} / s`,
      `${(result.perSecond / hashesPerSecond).toFixed(2)} ×`,
    ];
    printTable(
      ['operation', 'count', 'in flight', 'time', 'throughput', 'vs one hash per core'],
      [row(`login (bcrypt cost ${rounds})`, login), row('refresh (rotation)', refresh)],
    );
    console.log(
      `\nReference: one bcrypt hash at cost ${rounds} on one thread takes ${formatMs(hashMs)} (median of 5), so ` +
        `${cores} cores hash at most ${hashesPerSecond.toFixed(1)} / s. A login can at best match that (ratio ≤ 1); ` +
        `refresh ran at ${(refresh.perSecond / login.perSecond).toFixed(0)} × the login rate.`,
    );
  } finally {
    await core.close();
  }
}

await main();
