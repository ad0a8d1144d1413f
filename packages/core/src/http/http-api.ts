import type { AuthOutcome } from './pipeline';
import type { HttpMethod, HttpRequest, HttpResponse } from './types';

/** One route of the table as adapters, docs and tests may list it. */
export interface MountedRoute {
  /** Stable id, e.g. `users.get`. */
  readonly id: string;
  readonly method: HttpMethod;
  /** Full path with plain `:param` segments, e.g. `/api/v1/users/:id` or `/health`. */
  readonly path: string;
}

/**
 * The HTTP contract of a core: the route table and the one pipeline that runs it. An adapter
 * hands every request to {@link HttpApi.dispatch} (through the Node kit, `handleNodeRequest`)
 * and calls its framework's "next" when the answer is "not mine". No method rejects.
 */
export interface HttpApi {
  /** The API prefix, e.g. `/api/v1`. */
  readonly prefix: string;
  readonly routes: readonly MountedRoute[];
  /** Largest accepted body (`bodyLimitBytes`); the Node kit drains up to 10 × this after a 413. */
  readonly bodyLimitBytes: number;
  /**
   * Routes by method and path (relative to the mount) with the core's one matcher and runs
   * the pipeline; 404/405 for a path of the API without a fitting route. `undefined` means
   * "not mine": the path is outside the prefix and the root routes (`/health`), and nothing
   * of the request was read.
   */
  dispatch(request: HttpRequest): Promise<HttpResponse | undefined>;
  /** Runs the route with this id, its path parameters taken from the request's path. */
  handle(route: MountedRoute | string, request: HttpRequest): Promise<HttpResponse>;
  /**
   * Authenticates a request at `level` as a route of that level would: the caller's user and
   * session, or the envelope's 401/403 response (request id and security headers included).
   * Backs the adapters' guards for the host's own routes.
   */
  authenticate(request: HttpRequest, level: 'user' | 'superuser'): Promise<AuthOutcome>;
  /**
   * Resolves once no request's work is running, including work that outlived its 504 (it
   * rolls back). For a graceful shutdown: close the server, await this, then `core.close()`.
   */
  settled(): Promise<void>;
  /** The OpenAPI 3.1 document of every route, its `servers` naming the mount path. */
  openapi(mountPath?: string): Record<string, unknown>;
}
