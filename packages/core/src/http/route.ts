import type { z } from 'zod';
import type { Core } from '../core';
import type { AuthContext, ClientInfo } from '../domain/types';
import type { ErrorCode } from '../errors/app-error';
import type { RateLimitRule } from '../rate-limit/rate-limiter';
import type { SecurityHeaderOverrides } from './security-headers';
import type { HttpMethod, HttpRequest } from './types';

/** Who may call a route: anyone, any active user with an active session, or a superuser. */
export type AuthLevel = 'none' | 'user' | 'superuser';

/** The services a handler calls: exactly the Core facade's `services`. */
export type CoreServices = Core['services'];

/** The validated output of an optional schema (`undefined` when the route has none). */
export type SchemaOutput<S> = S extends z.ZodType ? z.output<S> : undefined;

/** Everything a handler (and a cache-key function) may read about one request. */
export interface RouteContext<A extends AuthLevel = AuthLevel, P = unknown, Q = unknown, B = unknown> {
  readonly services: CoreServices;
  /** Path parameters after validation (e.g. `{ id: 5 }` as a number). */
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** Present on every `user` and `superuser` route; absent on public routes. */
  readonly auth: A extends 'none' ? AuthContext | undefined : AuthContext;
  readonly client: ClientInfo;
  /** The request's headers, lower-case names (e.g. `cookie` for the refresh cookie). */
  readonly headers: HttpRequest['headers'];
  /** The effective request id (echoed or generated). */
  readonly requestId: string;
  /** Where the host mounted the API (`/auth`), `''` at the root. */
  readonly mountPath: string;
  /** Aborted when the request timed out or its client went away. */
  readonly signal: AbortSignal;
}

/**
 * What a handler returns. The status is the route's `successStatus` unless `status` says
 * otherwise (`/health` answers 503 when unhealthy). A `stream` is sent chunk by chunk; a
 * `body` is sent as JSON; neither means an empty body.
 */
export interface RouteResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  stream?: AsyncIterable<string | Buffer>;
}

/** The schemas of a route: request schemas validate at run time, all of them feed OpenAPI. */
export interface RouteSchemas<PS, QS, BS> {
  /** A `z.object` of the path's `:param` segments (strings in, typed values out). */
  params?: PS;
  /** A `z.object` of the query string; unknown keys are ignored. */
  query?: QS;
  /** The JSON body; its presence makes the pipeline read and parse a body. */
  body?: BS;
  /** The success body, for OpenAPI only (never checked at run time); omit for 204. */
  response?: z.ZodType;
  /** Media type of the success body in OpenAPI; default `application/json`. */
  responseMediaType?: string;
  /** Headers of the success response worth documenting (name → description), for OpenAPI. */
  responseHeaders?: Record<string, string>;
  successStatus: number;
}

/**
 * A response cache rule: the handler's JSON body is stored under `key`, as of the versions
 * of `scopes`, for `ttlSeconds`; a change bumps a scope and the next read refills at once.
 */
export interface RouteCacheRule<C> {
  ttlSeconds: number;
  /**
   * The key for this request, or `undefined` to bypass the cache. Return `undefined`
   * whenever the caller may not read the resource, so the handler (and its permission
   * check) runs: a cached body is only ever served to a caller allowed to see it.
   */
  key(ctx: C): string | undefined;
  /** The scopes whose change invalidates this request's entry (`cacheKeys.userScope(id)`). */
  scopes(ctx: C): string[];
}

/** One route of the API as data, with its handler typed from its own schemas. */
export interface RouteDefinition<A extends AuthLevel, PS, QS, BS> {
  /**
   * Stable id, e.g. `users.get`; names the route's rate-limit bucket, and is what
   * `disabledRoutes` and `rateLimits` refer to.
   */
  readonly id: string;
  readonly method: HttpMethod;
  /**
   * Plain `:param` segments. A host route's path is relative to the API prefix (`/widgets`
   * is served at `/api/v1/widgets`); the core's own routes carry their full path.
   */
  readonly path: string;
  readonly auth: A;
  /**
   * Fixed-window limit, one bucket per route: per user on `user`/`superuser` routes, per
   * client IP on public ones. `rateLimits` in the core's options overrides it by id.
   */
  readonly rateLimit?: RateLimitRule;
  readonly cache?: RouteCacheRule<RouteContext<A, SchemaOutput<PS>, SchemaOutput<QS>, SchemaOutput<BS>>>;
  readonly schemas: RouteSchemas<PS, QS, BS>;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  /**
   * Error codes this route raises beyond the ones the pipeline implies (auth, validation,
   * body, rate limit, timeout, 500), for OpenAPI.
   */
  readonly errors?: readonly ErrorCode[];
  /** Replaces the default CSP or Cache-Control on this route's successful responses (HTML pages, assets). */
  readonly securityHeaders?: SecurityHeaderOverrides;
  handler(ctx: RouteContext<A, SchemaOutput<PS>, SchemaOutput<QS>, SchemaOutput<BS>>): Promise<RouteResult>;
}

/** A route with its types erased, as the pipeline and the OpenAPI generator see it. */
export type Route = RouteDefinition<AuthLevel, z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined> & {
  handler(ctx: RouteContext): Promise<RouteResult>;
  readonly cache?: RouteCacheRule<RouteContext>;
};

/**
 * Declares a route and infers its handler's context from its schemas and auth level. Hosts
 * pass their routes to `createCore({ routes })`; they run through the same pipeline as the
 * core's (auth levels, limits, validation, envelope) and appear in the OpenAPI document.
 *
 * @example
 * const whoami = defineRoute({
 *   id: 'host.whoami', method: 'GET', path: '/whoami', auth: 'user', // served at /api/v1/whoami
 *   rateLimit: { limit: 60, windowMs: 60_000 },
 *   schemas: { response: z.object({ id: z.number() }), successStatus: 200 },
 *   summary: 'The caller’s id', tags: ['host'],
 *   handler: async ({ auth }) => ({ body: { id: auth.user.id } }),
 * });
 * const core = await createCore({ routes: [whoami] });
 */
export function defineRoute<
  A extends AuthLevel,
  PS extends z.ZodType | undefined = undefined,
  QS extends z.ZodType | undefined = undefined,
  BS extends z.ZodType | undefined = undefined,
>(definition: RouteDefinition<A, PS, QS, BS>): Route {
  // The handler's context is checked against its schemas here; the pipeline builds the
  // context from the same schemas, so erasing the types afterwards is sound.
  return definition as unknown as Route;
}
