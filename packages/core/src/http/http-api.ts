import type { HttpMethod, HttpRequest, HttpResponse } from './types';

/** What an adapter needs to know of one route to register it on its framework's router. */
export interface MountedRoute {
  /** Stable id, e.g. `users.get`. */
  readonly id: string;
  readonly method: HttpMethod;
  /** Full path with plain `:param` segments, e.g. `/api/v1/users/:id` or `/health`. */
  readonly path: string;
}

/**
 * The HTTP contract of a core: the route table and the one pipeline that runs it. An adapter
 * registers every `routes` entry on its router, sends everything else under `prefix` to
 * `handleUnmatched`, and writes the returned plain response back. Neither method throws.
 */
export interface HttpApi {
  /** The API prefix, e.g. `/api/v1`. */
  readonly prefix: string;
  readonly routes: readonly MountedRoute[];
  /** Runs the whole pipeline for a matched route. */
  handle(route: MountedRoute, request: HttpRequest): Promise<HttpResponse>;
  /**
   * Routes by method and path with the core's own matcher and runs the pipeline: for a host
   * without a router of its own, or a request its router refused (e.g. Express cannot decode
   * a malformed percent-escape in a path parameter).
   */
  dispatch(request: HttpRequest): Promise<HttpResponse>;
  /** 404 `not_found_error`, or 405 `method_not_allowed` with `Allow` for a known path. */
  handleUnmatched(request: HttpRequest): Promise<HttpResponse>;
  /** The OpenAPI 3.1 document of every route. */
  openapi(): Record<string, unknown>;
}
