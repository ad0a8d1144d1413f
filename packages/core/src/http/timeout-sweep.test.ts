import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import type { Core } from '../core';
import { createCore } from '../create-core';
import { testDatabaseTargets, type TestDatabase } from '../testing/test-databases';
import type { HttpRequest, HttpResponse } from './types';
import { createConsoleLogger } from '../logger/logger';

/**
 * "Timeouts never lie" (docs/decisions.md): hundreds of bulk creates whose durations straddle
 * the request timeout, through the real pipeline and database. Whatever the timing, a 504
 * means no row of its batch exists and a 201 means every row does.
 */
const REQUESTS = 240;
/** The sweep's timeouts, as multiples of the calibrated median duration. */
const SWEEP_FACTORS = [0.125, 0.5, 1, 2];
const CONCURRENCY = 4;
const CALIBRATION_SIZE = 12;

function bulkRequest(token: string, marker: string, size: number): HttpRequest {
  const items = Array.from({ length: size }, (_, i) => ({
    email: `${marker}i${i}@example.com`,
    username: `${marker}i${i}`,
    password: 'password-123',
  }));
  const raw = Buffer.from(JSON.stringify(items));
  return {
    method: 'POST',
    path: '/api/v1/users/bulk',
    query: {},
    headers: { 'content-type': 'application/json', 'content-length': String(raw.length), authorization: `Bearer ${token}` },
    ip: '198.51.100.1',
    protocol: 'http',
    body: { kind: 'stream', stream: Readable.from([raw]) },
  };
}

async function dispatch(core: Core, request: HttpRequest): Promise<HttpResponse> {
  const response = await core.http.dispatch(request);
  if (!response) throw new Error('the bulk route was not the API\'s');
  return response;
}

async function superuserToken(core: Core, name: string): Promise<string> {
  await core.services.users.createUser({ email: `${name}@example.com`, username: name, password: 'password-123', is_superuser: true });
  return (await core.services.auth.login({ username: name, password: 'password-123' }, { ipAddress: null, userAgent: null })).accessToken;
}

for (const target of testDatabaseTargets()) {
  describe(`request timeout sweep (${target.name})`, function () {
    this.timeout(60_000);
    let database: TestDatabase;
    const run = randomBytes(3).toString('hex');
    const options = (requestTimeoutMs: number) => ({
      environment: 'test' as const,
      database: { url: database.url },
      bcryptRounds: 4,
      hashWorkers: 2,
      limiterEnabled: false,
      cacheEnabled: false,
      requestTimeoutMs,
      // One signing key, so a token of one sweep core is valid on the others.
      secretKey: `sweep-secret-${'k'.repeat(32)}`,
      logger: createConsoleLogger({ level: 'error' }),
    });
    before(async () => {
      database = await target.create();
    });
    after(() => database?.drop());

    it('never answers 504 for a batch it wrote, nor 201 for one it did not (and a 503 writes nothing)', async () => {
      // Calibrate in this run: the median duration of a mid-sized batch becomes the timeout.
      const calibration = await createCore({ ...options(60_000), migrate: true });
      let timeoutMs: number;
      try {
        const token = await superuserToken(calibration, `cal${run}`);
        // Measured at the sweep's concurrency, since concurrent batches share the hashing workers.
        const durations: number[] = [];
        let calibrated = 0;
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (calibrated < 4 * CONCURRENCY) {
              const index = calibrated++;
              const started = performance.now();
              const response = await dispatch(calibration, bulkRequest(token, `c${run}n${index}`, CALIBRATION_SIZE));
              expect(response.status).to.equal(201);
              durations.push(performance.now() - started);
            }
          }),
        );
        timeoutMs = Math.max(1, Math.round(durations.sort((a, b) => a - b)[Math.floor(durations.length / 2)]!));
      } finally {
        await calibration.close();
      }

      // Cores on the one database with timeouts from an eighth to twice the calibrated
      // duration, and sizes from 1 to twice the calibrated one: however fast or loaded the
      // machine is during the sweep, requests land on both sides of their timeout.
      const cores = await Promise.all(SWEEP_FACTORS.map((factor) => createCore(options(Math.max(1, Math.round(timeoutMs * factor))))));
      const [core] = cores as [Core];
      const outcomes: { marker: string; size: number; status: number; connection?: string }[] = [];
      try {
        const token = await superuserToken(core, `sw${run}`);
        // One phase per timeout, each waiting for the work that outlived its 504s to roll back
        // before the next starts, so one phase's backlog cannot decide the next one's outcomes.
        const perCore = Math.ceil(REQUESTS / cores.length);
        for (const [phase, each] of cores.entries()) {
          let next = phase * perCore;
          const end = Math.min(REQUESTS, next + perCore);
          const worker = async () => {
            while (next < end) {
              const index = next++;
              const size = 1 + (index * 7919) % (2 * CALIBRATION_SIZE);
              const marker = `s${run}n${index}x`;
              const response = await dispatch(each, bulkRequest(token, marker, size));
              outcomes.push({ marker, size, status: response.status, connection: response.headers['Connection'] });
            }
          };
          await Promise.all(Array.from({ length: CONCURRENCY }, worker));
          await each.http.settled();
        }

        const lies: string[] = [];
        for (const outcome of outcomes) {
          const page = await core.services.users.listUsers({ page: 1, size: 100, search: outcome.marker });
          if (outcome.status === 504 && page.total !== 0) lies.push(`504 but ${page.total} rows (${outcome.marker})`);
          // Four batches at once keep the hashing queue standing, so some are shed before they start.
          if (outcome.status === 503 && page.total !== 0) lies.push(`503 but ${page.total} rows (${outcome.marker})`);
          if (outcome.status === 201 && page.total !== outcome.size) lies.push(`201 but ${page.total}/${outcome.size} rows (${outcome.marker})`);
          if (outcome.status === 504) expect(outcome.connection, 'a 504 closes the connection').to.equal('close');
        }
        const statuses = outcomes.reduce<Record<number, number>>((counts, { status }) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {});
        expect(lies, `timeout ${timeoutMs} ms, statuses ${JSON.stringify(statuses)}`).to.deep.equal([]);
        expect(Object.keys(statuses).sort(), `only 201, 503 and 504 (${JSON.stringify(statuses)})`).to.deep.equal(
          Object.keys(statuses).filter((status) => ['201', '503', '504'].includes(status)).sort(),
        );
        expect(statuses[201] ?? 0, `some batches finished in time (${JSON.stringify(statuses)})`).to.be.greaterThan(0);
        expect(statuses[504] ?? 0, `some batches timed out (${JSON.stringify(statuses)})`).to.be.greaterThan(0);
      } finally {
        await Promise.all(cores.map((each) => each.close()));
      }
    });
  });
}
