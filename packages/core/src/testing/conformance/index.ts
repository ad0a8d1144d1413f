import { after, before, describe } from 'mocha';
import { testDatabaseTargets } from '../test-databases';
import { accountDedicatedSuite, accountSuite } from './account-suite';
import { auditSuite } from './audit-suite';
import { authSuite } from './auth-suite';
import { dedicatedCoresSuite } from './dedicated-cores-suite';
import { Harness, type MountHost, type StorageTarget } from './harness';
import { lingeringSuite } from './lingering-suite';
import { listSuite } from './list-suite';
import { metricsSuite } from './metrics-suite';
import { mountingSuite, type MountingOptions } from './mounting-suite';
import { operationsSuite } from './operations-suite';
import { permissionsSuite } from './permissions-suite';
import { policySuite } from './policy-suite';
import { protocolSuite } from './protocol-suite';
import { rateLimitSuite } from './rate-limit-suite';
import { refreshCookieSuite } from './refresh-cookie-suite';
import { tokenLifetimesSuite } from './token-lifetimes-suite';
import { tokensSuite } from './tokens-suite';
import { usersSuite } from './users-suite';

export type { MountHost } from './harness';
export type { MountingOptions } from './mounting-suite';

/**
 * Options of {@link runConformanceSuite}. `mountAt` and `guarded` are optional: with them the
 * suite also checks the API mounted under a path and the adapter's guards.
 */
export interface ConformanceOptions extends MountingOptions {
  /** Names the adapter in the test titles, e.g. `@app/express`. */
  name: string;
  /**
   * Builds a host app serving `core` through the adapter under test: a request listener
   * (`express()` app, `koa.callback()`) or an `http.Server`. Called once per core.
   *
   * The host must trust proxy headers (Express `app.set('trust proxy', true)`, Koa
   * `app.proxy = true`): the suite gives each test its own client IP through
   * `X-Forwarded-For` so that the real rate limits start from fresh buckets, and checks
   * HSTS through `X-Forwarded-Proto`. Which IP counts is the host's decision, as in production.
   */
  mount: MountHost;
}

/**
 * The adapter conformance suite: every route and every error case of the route reference, run through
 * a real host app over HTTP. It defines mocha `describe`/`it` blocks, so call it at the top
 * level of a test file. It runs on SQLite with the in-memory cache and limiter always; on
 * PostgreSQL when `TEST_DATABASE_URL` is set (with Redis when `TEST_REDIS_URL` is set too);
 * and on SQLite with Redis when only `TEST_REDIS_URL` is set. An unreachable server fails
 * the suite, never skips it. Each core gets a fresh database and its own Redis key prefix.
 *
 * @example
 * import express from 'express';
 * import { runConformanceSuite } from '@app/core/testing';
 * import { createExpressRouter } from '@app/express';
 *
 * runConformanceSuite({
 *   name: '@app/express',
 *   mount: (core) => express().set('trust proxy', true).use(createExpressRouter(core)),
 * });
 */
export function runConformanceSuite(options: ConformanceOptions): void {
  for (const target of storageTargets()) {
    describe(`${options.name} conformance (${target.label})`, function () {
      this.timeout(30_000);
      const h = new Harness(target, options.mount);
      before(() => h.start());
      after(() => h.stop());

      describe('auth routes', () => authSuite(h));
      describe('refresh tokens and sessions', () => tokensSuite(h));
      describe('account routes', () => accountSuite(h));
      describe('user routes', () => usersSuite(h));
      describe('user listing', () => listSuite(h));
      describe('permissions', () => permissionsSuite(h));
      describe('protocol', () => protocolSuite(h));
      describe('lingering 413', () => lingeringSuite(h));
      describe('mounting and guards', () => mountingSuite(h, options));
      describe('rate limits', () => rateLimitSuite(h));
      describe('operations', () => operationsSuite(h));
      describe('audit trail and signups', () => auditSuite(h));
      describe('dedicated cores', () => dedicatedCoresSuite(target, options.mount));
      describe('route policy', () => policySuite(target, options.mount));
      describe('Prometheus metrics', () => metricsSuite(target, options.mount));
      describe('token lifetimes (manual clock, two instances)', () => tokenLifetimesSuite(target, options.mount));
      describe('refresh cookie transport', () => refreshCookieSuite(target, options.mount));
      describe('dedicated account cores', () => accountDedicatedSuite((overrides) => new Harness(target, options.mount, overrides)));
    });
  }
}

/** The storage combinations the environment offers. */
export function storageTargets(env: NodeJS.ProcessEnv = process.env): StorageTarget[] {
  const databases = testDatabaseTargets(env);
  const redisUrl = env.TEST_REDIS_URL || undefined;
  const targets: StorageTarget[] = [{ label: 'sqlite + memory', database: databases[0] }];
  const postgres = databases.find((database) => database.name === 'postgres');
  if (postgres) targets.push({ label: `postgres + ${redisUrl ? 'redis' : 'memory'}`, database: postgres, redisUrl });
  else if (redisUrl) targets.push({ label: 'sqlite + redis', database: databases[0], redisUrl });
  return targets;
}
