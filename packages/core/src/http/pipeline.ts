import type { Cache } from '../cache/cache';
import type { CoreConfig } from '../config/options';
import type { ExecutionContext } from '../context/execution-context';
import type { AuthContext, ClientInfo } from '../domain/types';
import { AppError, isAppError, authenticationError, authorizationError, rateLimitError, timeoutError } from '../errors/app-error';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import { headerValue, readJsonBody } from './body-reader';
import { mapError } from './error-mapper';
import { compilePath, type PathMatcher } from './path-matcher';
import { resolveRequestId } from './request-id';
import { validateInputs } from './request-validation';
import type { CoreServices, Route, RouteContext, RouteResult } from './route';
import { securityHeaders } from './security-headers';
import type { HttpRequest, HttpResponse, HttpResponseBody } from './types';

/** What the pipeline needs from its core. */
export interface PipelineDeps {
  config: CoreConfig;
  services: CoreServices;
  cache: Cache;
  limiter: RateLimiter;
  executionContext: ExecutionContext;
}

interface RouteEntry {
  route: Route;
  matcher: PathMatcher;
  /** True when the path has no `:param` segment. */
  literal: boolean;
}

/** Per-request state that every response of the request carries, success or failure. */
interface RequestState {
  readonly requestId: string;
  /** Headers decided along the way (rate-limit figures) that errors must keep too. */
  readonly headers: Record<string, string>;
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * Takes the first chunk inside the pipeline, so a stream that fails at once (database down)
 * still becomes an error envelope instead of a 200 cut short. The rest is pulled by the
 * adapter as it writes; an early stop (client gone) closes the source.
 */
async function primeStream(chunks: AsyncIterable<string | Buffer>): Promise<AsyncIterable<string | Buffer>> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  return {
    async *[Symbol.asyncIterator]() {
      let done = first.done ?? false;
      try {
        if (!done) yield first.value;
        while (!done) {
          const next = await iterator.next();
          done = next.done ?? false;
          if (!done) yield next.value;
        }
      } finally {
        if (!done) await iterator.return?.();
      }
    },
  };
}

/**
 * The one request pipeline of every route and every adapter: request id → timeout → rate
 * limit → authentication and authorisation → body → validation → cache → handler → error
 * envelope → security headers. Neither public method ever rejects.
 */
export class Pipeline {
  private readonly byId: Map<string, RouteEntry>;
  /** Routes without parameters: a path one of them matches is theirs, never a `:param`'s. */
  private readonly literals: RouteEntry[];

  constructor(
    private readonly deps: PipelineDeps,
    routes: readonly Route[],
  ) {
    this.byId = new Map(
      routes.map((route) => [route.id, { route, matcher: compilePath(route.path), literal: !route.path.includes(':') }]),
    );
    this.literals = [...this.byId.values()].filter((entry) => entry.literal);
  }

  /** Routes the request with the core's own matcher, then runs it like {@link Pipeline.handle}. */
  async dispatch(request: HttpRequest): Promise<HttpResponse> {
    const matching = this.matching(request.path);
    const entry = matching.find((candidate) => candidate.route.method === request.method);
    return entry ? this.handle(entry.route.id, request) : this.unmatched(request);
  }

  /** Runs the route with this id, or answers as {@link Pipeline.unmatched} for an unknown id. */
  async handle(routeId: string, request: HttpRequest): Promise<HttpResponse> {
    const entry = this.byId.get(routeId);
    // `/users/bulk` also fits `/users/:id`: a framework router may hand us the param route
    // for another method of a literal path, which is that path's 405, not a bad id.
    if (!entry || (!entry.literal && this.literals.some((literal) => literal.matcher.match(request.path)))) {
      return this.unmatched(request);
    }
    const state: RequestState = { requestId: this.requestId(request), headers: {} };
    let response: HttpResponse;
    try {
      response = await this.withTimeout(entry.route, entry.matcher, request, state);
    } catch (error) {
      response = this.fail(error, state);
    }
    return this.finish(response, request, state);
  }

  /** 405 with `Allow` when some route has this path, else 404. */
  async unmatched(request: HttpRequest): Promise<HttpResponse> {
    const state: RequestState = { requestId: this.requestId(request), headers: {} };
    const methods = new Set(this.matching(request.path).map((entry) => entry.route.method));
    let error: AppError;
    if (methods.size > 0) {
      state.headers['Allow'] = [...methods].join(', ');
      error = new AppError('method_not_allowed', `Method ${request.method} not allowed`);
    } else {
      error = new AppError('not_found_error', 'Route not found');
    }
    return this.finish(this.fail(error, state), request, state);
  }

  /** The routes whose path fits: the literal ones when any fits, else the parameterised ones. */
  private matching(path: string): RouteEntry[] {
    const literal = this.literals.filter((entry) => entry.matcher.match(path));
    if (literal.length > 0) return literal;
    return [...this.byId.values()].filter((entry) => !entry.literal && entry.matcher.match(path));
  }

  private requestId(request: HttpRequest): string {
    return resolveRequestId(request.headers ?? {});
  }

  /**
   * Runs the route in an execution scope whose signal aborts at the timeout, so the unit of
   * work rolls back whatever the handler left open, while the caller gets its 504 at once.
   */
  private async withTimeout(route: Route, matcher: PathMatcher, request: HttpRequest, state: RequestState) {
    const timeoutMs = this.deps.config.requestTimeoutMs;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<HttpResponse>((resolve) => {
      timer = setTimeout(() => {
        const error = timeoutError(timeoutMs);
        controller.abort(error);
        resolve(this.fail(error, state));
      }, timeoutMs);
    });
    const client: ClientInfo = { ipAddress: request.ip ?? null, userAgent: headerValue(request.headers, 'user-agent') ?? null };
    const scope = { signal: controller.signal, requestId: state.requestId, client };
    const work = this.deps.executionContext
      .run(scope, () => this.execute(route, matcher, request, state, controller.signal))
      .catch((error: unknown) => (controller.signal.aborted ? this.fail(controller.signal.reason, state) : this.fail(error, state)));
    try {
      return await Promise.race([work, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async execute(
    route: Route,
    matcher: PathMatcher,
    request: HttpRequest,
    state: RequestState,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    await this.limit(route, request, state);
    const auth = await this.authenticate(route, request);
    const body = route.schemas.body ? await readJsonBody(request, this.deps.config.bodyLimitBytes) : undefined;
    const rawParams = { ...(matcher.match(request.path) ?? {}), ...request.params };
    const inputs = await validateInputs(route, { params: rawParams, query: request.query ?? {}, body });
    const client: ClientInfo = {
      ipAddress: request.ip ?? null,
      userAgent: headerValue(request.headers, 'user-agent') ?? null,
    };
    const headers = request.headers ?? {};
    const ctx = { ...inputs, services: this.deps.services, auth, client, headers, requestId: state.requestId, signal } as RouteContext;

    const cacheKey = route.cache && route.method === 'GET' ? route.cache.key(ctx) : undefined;
    if (cacheKey !== undefined) {
      const cached = await this.deps.cache.get<unknown>(cacheKey).catch(() => undefined);
      if (cached !== undefined) {
        return this.success(route, { body: cached, headers: { 'X-Cache': 'HIT' } });
      }
    }
    const result = await route.handler(ctx).catch((error: unknown) => {
      throw route.schemas.body ? locateBodyFields(error) : error;
    });
    // `add` fills only an empty key: an invalidation that ran while the handler read (a PATCH
    // committing meanwhile) left a tombstone, so this possibly stale body is not stored. A
    // request past its timeout may outlive the tombstone, so it stores nothing at all.
    if (cacheKey !== undefined && route.cache && result.body !== undefined && !result.stream && !signal.aborted) {
      // A cache outage is a miss, never an error.
      await this.deps.cache.add(cacheKey, result.body, route.cache.ttlSeconds).catch(() => false);
      result.headers = { ...result.headers, 'X-Cache': 'MISS' };
    }
    return this.success(route, result);
  }

  /** Counts the hit in the route's own per-IP bucket; sets the RateLimit-* headers. */
  private async limit(route: Route, request: HttpRequest, state: RequestState): Promise<void> {
    const rule = route.rateLimit;
    if (!rule || this.deps.limiter.backend === 'none') return;
    // request.ip is the host framework's view (its trust-proxy setting applies); the
    // X-Forwarded-For header is never read here.
    const result = await this.deps.limiter.consume(`route:${route.id}:${request.ip ?? 'unknown'}`, rule);
    state.headers['RateLimit-Limit'] = String(result.limit);
    state.headers['RateLimit-Remaining'] = String(result.remaining);
    state.headers['RateLimit-Reset'] = String(result.resetSeconds);
    if (!result.allowed) throw rateLimitError(result.retryAfterSeconds, 'Rate limit exceeded; try again later');
  }

  private async authenticate(route: Route, request: HttpRequest): Promise<AuthContext | undefined> {
    if (route.auth === 'none') return undefined;
    const header = headerValue(request.headers, 'authorization');
    if (header === undefined) throw authenticationError('Not authenticated');
    const match = BEARER.exec(header);
    if (!match) throw authenticationError('Invalid authorization header; expected Bearer token');
    const auth = await this.deps.services.auth.authenticate(match[1]!);
    if (route.auth === 'superuser' && !auth.user.is_superuser) throw authorizationError('Not enough permissions');
    return auth;
  }

  private async success(route: Route, result: RouteResult): Promise<HttpResponse> {
    const status = result.status ?? route.schemas.successStatus;
    const headers: Record<string, string> = { ...result.headers };
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

  private fail(error: unknown, state: RequestState): HttpResponse {
    try {
      return mapError(error, state.requestId, this.deps.config.logger);
    } catch {
      // A throwing logger must not turn into a rejected promise for the adapter.
      const value = { error: 'internal_server_error', message: 'An unexpected error occurred', details: [], request_id: state.requestId };
      return { status: 500, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: { kind: 'json', value } };
    }
  }

  /** Adds what every response carries: rate-limit figures, security headers, the request id. */
  private finish(response: HttpResponse, request: HttpRequest, state: RequestState): HttpResponse {
    const headers = {
      ...response.headers,
      // The unread rest of an oversized body is not worth draining: close the connection
      // after the 413 instead of keeping the socket for a client that keeps sending.
      ...(response.status === 413 ? { Connection: 'close' } : {}),
      ...state.headers,
      ...securityHeaders({ https: request.protocol === 'https' }),
      'X-Request-ID': state.requestId,
    };
    return { ...response, headers };
  }
}

/**
 * A service names fields by its input's own keys (`2.email`, `full_name`), which for a body
 * route are the body's keys: they are located in the body (`body.2.email`), never renamed.
 */
function locateBodyFields(error: unknown): unknown {
  if (!isAppError(error) || !error.details.some((detail) => detail.field !== undefined)) return error;
  const details = error.details.map((detail) =>
    detail.field === undefined || /^(body|query|path|header)(\.|$)/.test(detail.field) ? detail : { ...detail, field: `body.${detail.field}` },
  );
  return new AppError(error.code, error.message, { details, retryAfterSeconds: error.retryAfterSeconds, cause: error.cause });
}
