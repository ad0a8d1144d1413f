/**
 * Hashing benchmark, at the hasher level (no HTTP, no database): how long a single login's
 * verify takes while a 100-hash bulk create runs, and while 300 unknown-user logins flood
 * in, each as a multiple of one hash measured in the same run; then bcryptjs against the
 * native @node-rs/bcrypt per hash. Prints Markdown tables for docs/PERFORMANCE.md.
 *
 *   npm run bench:hashing
 *
 * Environment: BCRYPT_ROUNDS (default 12), HASH_WORKERS (default the number of cores),
 * BENCH_HASH_SAMPLES (per-hash samples in the engine comparison, default 7).
 *
 * "FIFO (before)" puts every call in one group with no load limit: the order and the absence
 * of shedding of the pool before the fair queue. "fair" gives each request its own group.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import nativeBcrypt from '@node-rs/bcrypt';
import { hashSync as argon2HashSync, verifySync as argon2VerifySync } from '@node-rs/argon2';
import bcryptjs from 'bcryptjs';
import { isAppError } from '../packages/core/src/errors/app-error';
import { DEFAULT_ARGON2, WorkerPasswordHasher } from '../packages/core/src/security/worker-password-hasher';
import { percentile, summarize } from './lib/measure';
import { printTable } from './lib/table';

const rounds = Number(process.env.BCRYPT_ROUNDS ?? 12);
const workers = Number(process.env.HASH_WORKERS ?? availableParallelism());
const engineSamples = Number(process.env.BENCH_HASH_SAMPLES ?? 7);
const PASSWORD = 'legitimate-user-password';

interface Mode {
  name: string;
  fair: boolean;
  maxWaitMs: number;
}

/** One call's fate: answered after `ms`, or refused with 503 after `ms`. */
interface Outcome {
  ms: number;
  shed: boolean;
}

async function timed(call: () => Promise<unknown>): Promise<Outcome> {
  const start = performance.now();
  try {
    await call();
    return { ms: performance.now() - start, shed: false };
  } catch (error) {
    if (isAppError(error) && error.code === 'service_unavailable') return { ms: performance.now() - start, shed: true };
    throw error;
  }
}

const x = (ms: number, unit: number) => (Number.isFinite(ms) ? `${(ms / unit).toFixed(2)} ×` : '-');
const p99 = (values: number[]) => percentile([...values].sort((a, b) => a - b), 0.99);

/** Median time of one verify on an idle hasher: the unit every other figure is divided by. */
async function oneHashMs(hasher: WorkerPasswordHasher, stored: string): Promise<number> {
  await Promise.all(Array.from({ length: workers }, () => hasher.verify(PASSWORD, stored))); // threads up
  const samples: number[] = [];
  for (let i = 0; i < 7; i++) samples.push((await timed(() => hasher.verify(PASSWORD, stored))).ms);
  return summarize(samples).medianMs;
}

function hasherFor(mode: Mode): WorkerPasswordHasher {
  return new WorkerPasswordHasher({ bcryptRounds: rounds, workers, queueMaxWaitMs: mode.maxWaitMs });
}

const groupOf = (mode: Mode, name: string) => (mode.fair ? name : 'everyone');

/** Single logins, one after another, while one request hashes 100 passwords. */
async function duringBulk(mode: Mode, stored: string, unit: number): Promise<string[]> {
  const hasher = hasherFor(mode);
  try {
    await oneHashMs(hasher, stored);
    let done = false;
    const bulkStart = performance.now();
    const bulk = Promise.all(Array.from({ length: 100 }, (_, i) => hasher.hash(`bulk-password-${i}`, { group: groupOf(mode, 'bulk') }))).then(() => {
      done = true;
      return performance.now() - bulkStart;
    });
    const logins: Outcome[] = [];
    for (let i = 0; !done; i++) logins.push(await timed(() => hasher.verify(PASSWORD, stored, { group: groupOf(mode, `login-${i}`) })));
    const bulkMs = await bulk;
    const answered = logins.filter((o) => !o.shed).map((o) => o.ms);
    // What one hash took inside this run, when both the bulk and the logins kept every thread
    // busy: separates queueing from CPU contention on a loaded machine.
    const inRun = (bulkMs * workers) / (100 + logins.length);
    return [
      mode.name,
      String(logins.length),
      x(summarize(answered).medianMs, unit),
      x(p99(answered), unit),
      x(p99(answered), inRun),
      String(logins.length - answered.length),
      `${(bulkMs / 1000).toFixed(1)} s`,
    ];
  } finally {
    await hasher.close();
  }
}

/** 300 unknown-user logins from 300 requests at once; legitimate logins keep arriving. */
async function duringFlood(mode: Mode, stored: string, unit: number): Promise<string[]> {
  const hasher = hasherFor(mode);
  try {
    await oneHashMs(hasher, stored);
    const floodStart = performance.now();
    const flood = Promise.all(Array.from({ length: 300 }, (_, i) => timed(() => hasher.verifyDummy('guessed-password', { group: groupOf(mode, `flood-${i}`) }))));
    let settled = false;
    let floodMs = 0;
    void flood.then(() => {
      settled = true;
      floodMs = performance.now() - floodStart;
    });
    const legit: Promise<Outcome>[] = [];
    // One legitimate login every half hash until the flood is over (at most 20).
    for (let i = 0; !settled && i < 20; i++) {
      legit.push(timed(() => hasher.verify(PASSWORD, stored, { group: groupOf(mode, `legit-${i}`) })));
      await sleep(unit / 2);
    }
    const floodOutcomes = await flood;
    const during = await Promise.all(legit);
    const after: Outcome[] = [];
    for (let i = 0; i < 5; i++) after.push(await timed(() => hasher.verify(PASSWORD, stored, { group: groupOf(mode, `after-${i}`) })));
    const answered = during.filter((o) => !o.shed).map((o) => o.ms);
    const shed = during.filter((o) => o.shed).map((o) => o.ms);
    const floodShed = floodOutcomes.filter((o) => o.shed);
    const maxShedMs = Math.max(0, ...shed, ...floodShed.map((o) => o.ms));
    // One hash inside this run: the flood's admitted calls and the legitimate ones kept every
    // thread busy until the flood settled.
    const inRun = (floodMs * workers) / (300 - floodShed.length + answered.length);
    return [
      mode.name,
      `${300 - floodShed.length} / ${floodShed.length}`,
      `${answered.length} / ${shed.length}`,
      x(p99(answered), unit),
      x(p99(answered), inRun),
      `${maxShedMs.toFixed(1)} ms`,
      x(p99(after.map((o) => o.ms)), unit),
    ];
  } finally {
    await hasher.close();
  }
}

function medianOf(samples: number, run: () => void): number {
  run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return summarize(times).medianMs;
}

/** One hash on this thread with each engine, interleaved so machine load hits both alike. */
function engines(): string[][] {
  const js = bcryptjs.hashSync(PASSWORD, rounds);
  const native = nativeBcrypt.hashSync(PASSWORD, rounds);
  const compatible = bcryptjs.compareSync(PASSWORD, native) && nativeBcrypt.verifySync(PASSWORD, js);
  const { memoryKib, timeCost, parallelism } = DEFAULT_ARGON2;
  const argon = argon2HashSync(PASSWORD, { algorithm: 2, memoryCost: memoryKib, timeCost, parallelism });
  const js1: number[] = [];
  const native1: number[] = [];
  for (let i = 0; i < 3; i++) {
    js1.push(medianOf(Math.ceil(engineSamples / 3), () => bcryptjs.compareSync(PASSWORD, js)));
    native1.push(medianOf(Math.ceil(engineSamples / 3), () => nativeBcrypt.verifySync(PASSWORD, js)));
  }
  const jsMs = summarize(js1).medianMs;
  const nativeMs = summarize(native1).medianMs;
  const argonMs = medianOf(engineSamples, () => argon2VerifySync(argon, PASSWORD));
  console.log(`Hashes interchangeable both ways (same $2b$ format): ${compatible}\n`);
  return [
    [`bcryptjs 3 (pure JS, in use)`, `${rounds}`, `${jsMs.toFixed(1)} ms`, '1.00 ×'],
    [`@node-rs/bcrypt 1.10.8 (native)`, `${rounds}`, `${nativeMs.toFixed(1)} ms`, `${(nativeMs / jsMs).toFixed(2)} ×`],
    [`@node-rs/argon2 (argon2id)`, `m=${DEFAULT_ARGON2.memoryKib},t=${DEFAULT_ARGON2.timeCost},p=1`, `${argonMs.toFixed(1)} ms`, `${(argonMs / jsMs).toFixed(2)} ×`],
  ];
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!;
  console.log(`# bench:hashing — ${cpus()[0]?.model.trim()}, ${availableParallelism()} cores, Node ${process.version}`);
  console.log(`bcrypt cost ${rounds}, ${workers} hashing threads\n`);
  const stored = bcryptjs.hashSync(PASSWORD, rounds);
  const reference = hasherFor({ name: 'reference', fair: true, maxWaitMs: Infinity });
  const unit = await oneHashMs(reference, stored).finally(() => reference.close());
  console.log(`One hash (a verify on an idle hasher, median of 7): ${unit.toFixed(1)} ms — the unit below.\n`);
  const limitMs = Math.round(2 * unit);
  const modes: Mode[] = [
    { name: 'FIFO (before)', fair: false, maxWaitMs: Infinity },
    { name: 'fair, HASH_QUEUE_MAX_WAIT_MS=5000', fair: true, maxWaitMs: 5000 },
  ];

  console.log('## Single logins while one request hashes 100 passwords\n');
  const bulkRows: string[][] = [];
  for (const mode of modes) bulkRows.push(await duringBulk(mode, stored, unit));
  printTable(['queue', 'logins', 'median', 'p99 (target ≤ 3 ×)', 'p99 × hash in this run', 'shed', 'bulk took'], bulkRows);

  console.log('\n## 300 unknown-user logins at once, legitimate logins arriving every half hash\n');
  const floodRows: string[][] = [];
  for (const mode of [...modes, { name: `fair, HASH_QUEUE_MAX_WAIT_MS=${limitMs} (2 hashes)`, fair: true, maxWaitMs: limitMs }]) {
    floodRows.push(await duringFlood(mode, stored, unit));
  }
  printTable(['queue', 'flood answered / shed', 'legit answered / shed', 'legit answered p99 (target ≤ 3 ×)', 'p99 × hash in this run', 'slowest 503', 'p99 right after'], floodRows);

  console.log('\n## Engines: one verify on this thread (median)\n');
  printTable(['engine', 'cost', 'per hash', '× bcryptjs'], engines());
  console.log(`\nLoad average (1 min) before/after: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
