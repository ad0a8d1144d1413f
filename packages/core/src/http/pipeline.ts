import type { Cache } from '../cache/cache';
import type { CoreConfig } from '../config/options';
import type { ExecutionContext } from '../context/execution-context';
import type { AuthContext, ClientInfo } from '../domain/types';
import { AppError, authenticationError, authorizationError, rateLimitError } from '../errors/app-error';
import { clientKey } from '../rate-limit/client-key';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import { traceRequest } from '../tracing/tracing';
import { methodLabel, noopMetrics, UNMATCHED_ROUTE, type Metrics } from '../metrics/metrics';
import { bearerToken, refusedToken } from './bearer-token';
import { ClientGoneError, headerValue, readJsonBody } from './body-reader';
import { locateBodyFields, mapError } from './error-mapper';
import { primeStream } from './prime-stream';
import { runWithDeadline, type WorkSignal } from './request-deadline';
import { resolveRequestId } from './request-id';
import { validateInputs } from './request-validation';
import type { AuthLevel, CoreServices, Route, RouteContext, RouteResult } from './route';
import type { RouteEntry, RouteMatcher } from './route-matcher';
import { securityHeaders } from './security-headers';
import type { HttpRequest, HttpResponse, HttpResponseBody } from './types';

/** What the pipeline needs from its core. */
export interface PipelineDeps {
  config: CoreConfig;
  services: CoreServices;
  cache: Cache;
  limiter: RateLimiter;
  executionContext: ExecutionContext;
  /** Where request, cache and rate-limit figures go (`app_http_*`, `app_cache_*`, `app_rate_limited_total`). */
  metrics?: Metrics;
}

/** Per-request state that every response of the request carries, success or failure. */
interface RequestState {
  readonly requestId: string;
  /** Headers decided along the way (rate-limit figures) that errors must keep too. */
  readonly headers: Record<string, string>;
  /** `performance.now()` when the pipeline took the request, for the duration metric. */
  readonly startedAt: number;
}

/** What {@link Pipeline.authenticate} answers: the caller, or the error response to send. */
export type AuthOutcome = { ok: true; auth: AuthContext } | { ok: false; response: HttpResponse };

/**
 * The status recorded for a request whose client went away before its answer (nginx's
 * convention); nothing is sent, the connection is gone.
 */
export const CLIENT_CLOSED_STATUS = 499;

/**
 * The one request pipeline of every route and every adapter: request id → timeout →
 * authentication and authorisation → rate limit → body → validation → cache → handler →
 * error envelope → security headers. No public method ever rejects.
 */
export class Pipeline {
  /** Route work still running, including work that outlived its 504 (it rolls back). */
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly deps: PipelineDeps,
    private readonly matcher: RouteMatcher,
  ) {
    this.metrics = deps.metrics ?? noopMetrics;
  }

  private readonly metrics: Metrics;

  /** Resolves once no route work is running any more (see `HttpApi.settled`). */
  settled(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.running += 1;
    const done = () => {
      this.running -= 1;
      if (this.running === 0) this.waiting.splice(0).forEach((resolve) => resolve());
    };
    work.then(done, done);
    return work;
  }

  /**
   * Routes the request with the core's one matcher and runs it; 404/405 for a path of the
   * API without a fitting route; `undefined` ("not mine") for a path outside the prefix and
   * the root routes, without touching the request, so the host's next handler runs.
   */
  async dispatch(request: HttpRequest): Promise<HttpResponse | undefined> {
    const match = this.matcher.find(request.method, request.path);
    if (match.kind === 'not-mine') return undefined;
    if (match.kind === 'unmatched') return this.unmatched(request, match.allowed);
    return this.run(match.entry, match.params, request);
  }

  /** Runs the route with this id (its path parameters taken from the request's path). */
  async handle(routeId: string, request: HttpRequest): Promise<HttpResponse> {
    const entry = this.matcher.byId(routeId);
    // `/users/bulk` also fits `/users/:id`: that path belongs to the literal route.
    if (!entry || (!entry.literal && this.matcher.isLiteralPath(request.path))) {
      return (await this.dispatch(request)) ?? this.unmatched(request, []);
    }
    return this.run(entry, entry.matcher.match(request.path) ?? {}, request);
  }

  /**
   * Authenticates a request at `level` as a route of that level would (Bearer token, active
   * session and user, superuser flag), for guards on the host's own routes.
   */
  async authenticate(request: HttpRequest, level: Exclude<AuthLevel, 'none'>): Promise<AuthOutcome> {
    const state = this.state(request);
    try {
      return { ok: true, auth: (await this.authenticateAt(level, request))! };
    } catch (error) {
      return { ok: false, response: this.finish(this.fail(error, state, request), request, state) };
    }
  }

  /** 405 with `Allow` when some route has this path, else 404. */
  private unmatched(request: HttpRequest, allowed: readonly string[]): HttpResponse {
    const state = this.state(request);
    let error: AppError;
    if (allowed.length > 0) {
      state.headers['Allow'] = allowed.join(', ');
      error = new AppError('method_not_allowed', `Method ${request.method} not allowed`);
    } else {
      error = new AppError('not_found_error', 'Route not found');
    }
    return this.measured(this.finish(this.fail(error, state, request), request, state), request, state);
  }

  private state(request: HttpRequest): RequestState {
    return { requestId: resolveRequestId(request.headers ?? {}), headers: {}, startedAt: performance.now() };
  }

  /** Runs the route in its OpenTelemetry span (a no-op without a tracer provider). */
  private run(entry: RouteEntry, params: Record<string, string>, request: HttpRequest): Promise<HttpResponse> {
    const traced = { method: methodLabel(request.method), route: entry.route.path };
    return traceRequest(traced, () => this.runRoute(entry, params, request));
  }

  private async runRoute(entry: RouteEntry, params: Record<string, string>, request: HttpRequest): Promise<HttpResponse> {
    const state = this.state(request);
    let response: HttpResponse;
    try {
      const client = clientOf(request);
      response = await runWithDeadline({
        executionContext: this.deps.executionContext,
        timeoutMs: this.deps.config.requestTimeoutMs,
        clientSignal: () => request.signal,
        scope: { requestId: state.requestId, client },
        work: (run) => this.track(this.execute(entry.route, request.params ? { ...params, ...request.params } : params, request, state, client, run)),
        onTimeout: (error) => this.fail(error, state, request),
      });
    } catch (error) {
      response = this.fail(error, state, request);
    }
    return this.measured(this.finish(response, request, state, entry.route), request, state, entry.route);
  }

  /** Counts the answered request under its route template (never the raw path: bounded labels). */
  private measured(response: HttpResponse, request: HttpRequest, state: RequestState, route?: Route): HttpResponse {
    const seconds = (performance.now() - state.startedAt) / 1000;
    this.metrics.httpRequest(route?.path ?? UNMATCHED_ROUTE, methodLabel(request.method), response.status, seconds);
    return response;
  }

  private async execute(
    route: Route,
    params: Record<string, string>,
    request: HttpRequest,
    state: RequestState,
    client: ClientInfo,
    run: WorkSignal,
  ): Promise<HttpResponse> {
    const { config } = this.deps;
    const auth = await this.authenticateAt(route.auth, request);
    // Most routes have no limit, or the limiter is off: no await for them.
    if (route.rateLimit && this.deps.limiter.backend !== 'none') await this.limit(route, request, auth, state);
    const body = route.schemas.body
      ? await readJsonBody(request, { limit: config.bodyLimitBytes, deadlineMs: config.bodyReadTimeoutMs, signal: run.signal })
      : undefined;
    const inputs = await validateInputs(route, { params, query: request.query ?? {}, body });
    const ctx = {
      ...inputs,
      services: this.deps.services,
      auth,
      client,
      headers: request.headers ?? {},
      requestId: state.requestId,
      mountPath: request.mountPath ?? '',
      // Made on first read (docs/decisions.md "Timeouts never lie"): most handlers never ask.
      get signal() {
        return run.signal;
      },
    } as RouteContext;

    const cacheKey = route.cache && route.method === 'GET' ? route.cache.key(ctx) : undefined;
    // The versions are read before the handler reads the database, so a change that commits
    // meanwhile bumps them and this body, possibly stale, lands where nobody reads again.
    const cached = cacheKey !== undefined && route.cache
      ? await this.deps.cache.getVersioned<unknown>(cacheKey, route.cache.scopes(ctx)).catch(() => undefined)
      : undefined;
    if (cached?.value !== undefined) {
      return this.success(route, { body: cached.value, headers: { 'X-Cache': 'HIT' } });
    }
    const result = await route.handler(ctx).catch((error: unknown) => {
      throw route.schemas.body ? locateBodyFields(error) : error;
    });
    if (cacheKey !== undefined && route.cache && result.body !== undefined && !result.stream) {
      // A cache outage is a miss, never an error; without a stamp (outage) nothing is stored.
      if (cached?.stamp !== undefined && !run.signal.aborted) {
        await this.deps.cache.setVersioned(cacheKey, cached.stamp, result.body, route.cache.ttlSeconds).catch(() => undefined);
      }
      result.headers = { ...result.headers, 'X-Cache': 'MISS' };
    }
    return this.success(route, result);
  }

  /**
   * Counts the hit in the route's own bucket: per user on authenticated routes (users behind
   * one address do not share a budget), per client IP on public ones. Sets RateLimit-*.
   */
  private async limit(route: Route, request: HttpRequest, auth: AuthContext | undefined, state: RequestState): Promise<void> {
    const rule = route.rateLimit;
    if (!rule || this.deps.limiter.backend === 'none') return;
    // request.ip is the host framework's view (its trust-proxy setting applies); the
    // X-Forwarded-For header is never read here.
    const client = auth ? `user:${auth.user.id}` : clientKey(request.ip, { ipv6Prefix: this.deps.config.rateLimitIpv6Prefix });
    const result = await this.deps.limiter.consume(`route:${route.id}:${client}`, rule);
    state.headers['RateLimit-Limit'] = String(result.limit);
    state.headers['RateLimit-Remaining'] = String(result.remaining);
    state.headers['RateLimit-Reset'] = String(result.resetSeconds);
    if (!result.allowed) {
      this.metrics.rateLimited(route.path);
      throw rateLimitError(result.retryAfterSeconds, 'Rate limit exceeded; try again later');
    }
  }

  private async authenticateAt(level: AuthLevel, request: HttpRequest): Promise<AuthContext | undefined> {
    if (level === 'none') return undefined;
    const token = bearerToken(request.headers);
    if (token === undefined) throw authenticationError('Not authenticated');
    const auth = await this.deps.services.auth.authenticate(token).catch(refusedToken);
    if (level === 'superuser' && !auth.user.is_superuser) throw authorizationError('Not enough permissions');
    return auth;
  }

  private async success(route: Route, result: RouteResult): Promise<HttpResponse> {
    const status = result.status ?? route.schemas.successStatus;
    const headers: Record<string, string> = { ...result.headers };
    // X-Cache is what a cached route says, whether the pipeline's response cache or the
    // handler itself (the session lookup of /auth/me) decided it: count that.
    const cacheResult = headers['X-Cache'];
    if (cacheResult === 'HIT' || cacheResult === 'MISS') this.metrics.cacheRequest(route.path, cacheResult === 'HIT' ? 'hit' : 'miss');
    let body: HttpResponseBody;
    if (result.stream) {
      body = { kind: 'stream', chunks: await primeStream(result.stream) };
    } else if (result.body === undefined || status === 204) {
      body = { kind: 'empty' };
    } else {
      body = { kind: 'json', value: result.body };
      headers['Content-Type'] ??= 'application/json; charset=utf-8';
    }
    return { status, headers, body };
  }

  private fail(error: unknown, state: RequestState, request: HttpRequest): HttpResponse {
    const { logger } = this.deps.config;
    try {
      // A client that hung up is not a server failure: one info line, no stack, nothing sent.
      if (error instanceof ClientGoneError || request.signal?.aborted) {
        logger.info({ request_id: state.requestId, method: request.method, path: request.path }, 'the client closed the connection before the response');
        return { status: CLIENT_CLOSED_STATUS, headers: {}, body: { kind: 'empty' } };
      }
      return mapError(error, state.requestId, logger);
    } catch {
      // A throwing logger must not turn into a rejected promise for the adapter.
      const value = { error: 'internal_server_error', message: 'An unexpected error occurred', details: [], request_id: state.requestId };
      return { status: 500, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: { kind: 'json', value } };
    }
  }

  /** Adds what every response carries: rate-limit figures, security headers, the request id. */
  private finish(response: HttpResponse, request: HttpRequest, state: RequestState, route?: Route): HttpResponse {
    // A route's own CSP or caching (HTML pages, hashed assets) never applies to its errors.
    const overrides = response.status < 400 ? route?.securityHeaders : undefined;
    const headers: Record<string, string> = { ...response.headers };
    // After a 413 or a 504 the connection closes: the Node kit first reads and discards
    // what the client is still sending, so it sees this answer (docs/decisions.md).
    if (response.status === 413 || response.status === 504) headers['Connection'] = 'close';
    Object.assign(headers, state.headers, securityHeaders({ ...overrides, https: request.protocol === 'https' }));
    headers['X-Request-ID'] = state.requestId;
    return { ...response, headers };
  }
}

/** Who is calling, and from where, as the services and hooks see it. */
function clientOf(request: HttpRequest): ClientInfo {
  return { ipAddress: request.ip ?? null, userAgent: headerValue(request.headers, 'user-agent') ?? null };
}
