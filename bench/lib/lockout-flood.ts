import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCore, silentLogger, type Core, type User } from '@app/core';
import sqlite3 from 'sqlite3';
import { benchDatabaseUrl, ensureDatabase, withClient } from './bench-database';
import { formatMs, summarize } from './measure';

/** One line of the flood table. */
export interface FloodRow {
  database: string;
  variant: string;
  refusalsPerSecond: string;
  rows: string;
  median: string;
  p95: string;
  max: string;
}

const ATTACKER = { ipAddress: '203.0.113.66', userAgent: 'flood/1' };
const ATTACKERS = 20;
/** Offered load of the paced floods: the same for both variants, below what either can serve. */
const PACED_PER_SECOND = 150;
const VARIANTS = [
  { name: 'none (reference)', flood: false, sampleSeconds: 60, rate: 0 },
  { name: `${PACED_PER_SECOND}/s, sampled (default, 60 s)`, flood: true, sampleSeconds: 60, rate: PACED_PER_SECOND },
  { name: `${PACED_PER_SECOND}/s, every refusal written`, flood: true, sampleSeconds: 0, rate: PACED_PER_SECOND },
  { name: 'as fast as served, sampled', flood: true, sampleSeconds: 60, rate: 0 },
  { name: 'as fast as served, every refusal written', flood: true, sampleSeconds: 0, rate: 0 },
] as const;

/**
 * A locked-out flood: one (account, client) pair is locked, then 20 concurrent callers retry
 * its login for `seconds` through `AuthService.login` (the per-route limit does not apply at
 * the service, so this is the worst case a botnet behind many proxies could approach), while
 * one admin PATCHes a user in a loop. Paced variants offer the same refusals per second with
 * and without sampling, so the PATCH latency compares the audit writes alone; unpaced ones
 * show how many refusals per second each serves. Each variant runs on a fresh database.
 */
export async function runFloods(seconds: number): Promise<FloodRow[]> {
  const rows: FloodRow[] = [];
  for (const database of ['sqlite', 'postgres'] as const) {
    for (const variant of VARIANTS) {
      const target = await freshDatabase(database);
      try {
        rows.push({ database, variant: variant.name, ...(await floodOnce(target.url, variant, seconds, target.countLocked)) });
      } finally {
        await target.drop();
      }
    }
  }
  return rows;
}

async function floodOnce(url: string, variant: (typeof VARIANTS)[number], seconds: number, countLocked: () => Promise<number>) {
  const core = await createCore({
    environment: 'test',
    database: { url },
    migrate: true,
    bcryptRounds: 4,
    hashWorkers: 1,
    cacheEnabled: false,
    logger: silentLogger,
    loginLockout: { maxFailures: 1, baseDelaySeconds: 3600 },
    audit: { lockoutSampleSeconds: variant.sampleSeconds },
  });
  try {
    const password = 'bench-password-1';
    const admin = await core.services.users.createUser({ email: 'a@example.com', username: 'admin', password, is_superuser: true });
    const target = await core.services.users.createUser({ email: 't@example.com', username: 'target', password }, admin);
    await core.services.users.register({ email: 'v@example.com', username: 'victim', password });
    // One failure locks the pair (maxFailures 1) for an hour: every later attempt is refused.
    await core.services.auth.login({ username: 'victim', password: 'wrong-password' }, ATTACKER).catch(() => undefined);
    const deadline = Date.now() + seconds * 1000;
    let refusals = 0;
    const started = Date.now();
    const attackers = variant.flood
      ? Array.from({ length: ATTACKERS }, async (_, index) => {
          for (let k = 0; Date.now() < deadline; k += 1) {
            if (variant.rate > 0) {
              const due = started + ((k * ATTACKERS + index) * 1000) / variant.rate;
              if (due > Date.now()) await sleep(due - Date.now());
            }
            await core.services.auth.login({ username: 'victim', password: 'wrong-password' }, ATTACKER).catch(() => (refusals += 1));
          }
        })
      : [];
    const latencies = await patchLoop(core, admin, target, deadline);
    await Promise.all(attackers);
    const stats = summarize(latencies);
    return {
      refusalsPerSecond: variant.flood ? String(Math.round(refusals / seconds)) : '-',
      rows: variant.flood ? String(await countLocked()) : '-',
      median: formatMs(stats.medianMs),
      p95: formatMs(stats.p95Ms),
      max: formatMs(stats.maxMs),
    };
  } finally {
    await core.close();
  }
}

async function patchLoop(core: Core, admin: User, target: User, deadline: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; Date.now() < deadline; i += 1) {
    const started = performance.now();
    await core.services.users.updateUser(admin, target.id, { full_name: `Name ${i}` });
    latencies.push(performance.now() - started);
  }
  return latencies;
}

async function freshDatabase(kind: 'sqlite' | 'postgres') {
  if (kind === 'sqlite') {
    const file = join(tmpdir(), `bench-flood-${randomBytes(4).toString('hex')}.sqlite`);
    return {
      url: `sqlite:${file}`,
      countLocked: () =>
        new Promise<number>((resolve, reject) => {
          const db = new sqlite3.Database(file);
          db.get("SELECT COUNT(*) AS n FROM audit_events WHERE type = 'login.locked'", (error, row: { n: number }) => {
            db.close();
            if (error) reject(error);
            else resolve(row.n);
          });
        }),
      drop: () => Promise.all(['', '-wal', '-shm'].map((suffix) => rm(file + suffix, { force: true }))).then(() => undefined),
    };
  }
  const name = `bench_flood_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(name);
  return {
    url: benchDatabaseUrl(name),
    countLocked: () =>
      withClient(name, async (client) => Number((await client.query("SELECT COUNT(*) AS n FROM audit_events WHERE type = 'login.locked'")).rows[0].n)),
    drop: () => withClient('postgres', (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
