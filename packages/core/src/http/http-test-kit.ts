import { Readable } from 'node:stream';
import sinon, { type SinonStub } from 'sinon';
import { MemoryCache } from '../cache/memory-cache';
import { systemClock } from '../clock/clock';
import { resolveConfig, type CoreOptions } from '../config/options';
import { createUserFields } from '../domain/user-fields';
import type { Logger } from '../logger/logger';
import { createAccountSchemas } from '../schemas/account';
import { createUserSchemas } from '../schemas/user';
import { ExecutionContext } from '../context/execution-context';
import type { AuthContext } from '../domain/types';
import { authenticationError } from '../errors/app-error';
import { MemoryRateLimiter } from '../rate-limit/memory-rate-limiter';
import { PrometheusMetrics } from '../metrics/prometheus-metrics';
import { makeSession, makeUser } from '../services/service-fakes';
import { createHttpApi } from './create-http-api';
import type { HttpApi, MountedRoute } from './http-api';
import type { CoreServices } from './route';
import type { HttpRequest, HttpResponse } from './types';

/**
 * Test-only helpers for the HTTP layer: a core's HTTP API over sinon-stubbed services, the
 * memory cache and limiter, and plain-request builders.
 */

/** A service whose every method is a sinon stub typed after it. */
type StubbedService<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? SinonStub<A, R> : T[K] };
/** The Core facade's services, stubbed. */
export type FakeServices = { [K in keyof CoreServices]: StubbedService<CoreServices[K]> };

/** A normal user (id 1), authenticated by the token `user-token`. */
export const alice = makeUser({ id: 1, username: 'alice', email: 'alice@example.com' });
/** A superuser (id 2), authenticated by the token `admin-token`. */
export const admin = makeUser({ id: 2, username: 'admin', email: 'admin@example.com', is_superuser: true });
/** The AuthContexts `authenticate` resolves for the two tokens. */
export const aliceAuth: AuthContext = { user: alice, session: makeSession({ id: 10, user_id: 1 }) };
export const adminAuth: AuthContext = { user: admin, session: makeSession({ id: 20, user_id: 2 }) };

const stubs = <T>(...names: string[]) =>
  Object.fromEntries(names.map((name) => [name, sinon.stub()])) as unknown as StubbedService<T>;

/** Every service method the routes call, as a fresh sinon stub; `authenticate` knows two tokens. */
export function fakeServices(): FakeServices {
  const services: FakeServices = {
    auth: stubs('login', 'refresh', 'authenticate', 'logout', 'logoutAll', 'listSessions', 'revokeSession', 'listUserSessions', 'endUserSessions'),
    users: stubs('register', 'createUser', 'getUser', 'updateUser', 'deleteUser', 'listUsers', 'bulkCreate'),
    dashboard: stubs('getStats', 'getSignups'),
    metrics: stubs('getPoolMetrics', 'authorizeScrape', 'exposition'),
    health: stubs('check'),
    export: stubs('json', 'csv'),
    account: stubs(
      'requestPasswordReset', 'confirmPasswordReset', 'requestEmailVerification', 'confirmEmailVerification', 'changePassword', 'settled',
    ),
    audit: stubs('list', 'json', 'csv', 'purge'),
  };
  services.auth.authenticate.rejects(authenticationError('Could not validate credentials'));
  services.auth.authenticate.withArgs('user-token').resolves(aliceAuth);
  services.auth.authenticate.withArgs('admin-token').resolves(adminAuth);
  return services;
}

/** A core's HTTP API with everything it talks to exposed for assertions. */
export interface TestApi {
  api: HttpApi;
  services: FakeServices;
  cache: MemoryCache;
  limiter: MemoryRateLimiter;
  executionContext: ExecutionContext;
  /** What the pipeline reported (`metrics.exposition()` shows it). */
  metrics: PrometheusMetrics;
  logger: { debug: SinonStub; info: SinonStub; warn: SinonStub; error: SinonStub };
  /** Runs the route with this id. */
  call(routeId: string, request?: Partial<TestRequest>): Promise<HttpResponse>;
  close(): Promise<void>;
}

/** An HttpApi over stubbed services, a MemoryCache and a MemoryRateLimiter; `close()` after. */
export function createTestApi(options: CoreOptions = {}): TestApi {
  const logger = { debug: sinon.stub(), info: sinon.stub(), warn: sinon.stub(), error: sinon.stub() };
  const config = resolveConfig({ environment: 'test', ...options, logger: logger as unknown as Logger });
  const services = fakeServices();
  const cache = new MemoryCache();
  const limiter = new MemoryRateLimiter();
  const executionContext = new ExecutionContext();
  const metrics = new PrometheusMetrics();
  const fields = createUserFields();
  const schemas = createUserSchemas(fields, { bulkMax: config.bulkMax });
  const api = createHttpApi({
    config,
    services: services as unknown as CoreServices,
    cache,
    limiter,
    executionContext,
    metrics,
    fields,
    schemas,
    account: createAccountSchemas(config.passwordMinLength),
    clock: systemClock,
  });
  const find = (id: string): MountedRoute => {
    const route = api.routes.find((candidate) => candidate.id === id);
    if (!route) throw new Error(`no route ${id}`);
    return route;
  };
  return {
    api,
    services,
    cache,
    limiter,
    executionContext,
    metrics,
    logger,
    call: (routeId, request = {}) => {
      const route = find(routeId);
      return api.handle(route, buildRequest({ method: route.method, path: route.path, ...request }));
    },
    close: async () => {
      await cache.close();
      await limiter.close();
    },
  };
}

/** What a test says about a request; `json` becomes a streamed body with its Content-Type. */
export interface TestRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: HttpRequest['query'];
  headers: HttpRequest['headers'];
  ip: string;
  protocol: 'http' | 'https';
  token: string;
  json: unknown;
  body: HttpRequest['body'];
}

/** A plain request; `token` adds a Bearer header, `json` a streamed JSON body. */
export function buildRequest(request: Partial<TestRequest>): HttpRequest {
  const headers: HttpRequest['headers'] = { 'user-agent': 'mocha', ...request.headers };
  if (request.token) headers['authorization'] = `Bearer ${request.token}`;
  let body: HttpRequest['body'] = request.body ?? { kind: 'none' };
  if (request.json !== undefined) {
    const raw = Buffer.from(JSON.stringify(request.json));
    headers['content-type'] ??= 'application/json';
    headers['content-length'] ??= String(raw.length);
    body = { kind: 'stream', stream: Readable.from([raw]) };
  }
  return {
    method: request.method ?? 'GET',
    path: request.path ?? '/',
    params: request.params ?? {},
    query: request.query ?? {},
    headers,
    ip: request.ip ?? '198.51.100.7',
    protocol: request.protocol ?? 'http',
    body,
  };
}

/** `api.dispatch`, failing the test when the API says the request is not its own. */
export async function dispatchOwn(api: Pick<HttpApi, 'dispatch'>, request: HttpRequest): Promise<HttpResponse> {
  const response = await api.dispatch(request);
  if (!response) throw new Error(`${request.method} ${request.path} is not a path of the API`);
  return response;
}

/** The JSON value of a response (fails the test when the body is not JSON). */
export function jsonOf(response: HttpResponse): Record<string, unknown> & { [key: string]: any } {
  if (response.body.kind !== 'json') throw new Error(`expected a JSON body, got ${response.body.kind}`);
  return response.body.value as Record<string, any>;
}

/** Concatenates a streamed body. */
export async function textOf(response: HttpResponse): Promise<string> {
  if (response.body.kind !== 'stream') throw new Error(`expected a stream, got ${response.body.kind}`);
  let text = '';
  for await (const chunk of response.body.chunks) text += chunk.toString();
  return text;
}
