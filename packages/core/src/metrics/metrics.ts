/** How a login ended, as `app_logins_total{result}` counts it. */
export type LoginResult = 'success' | 'failure' | 'locked';

/**
 * The metrics port: what the pipeline, the login flow and the hasher report as it happens.
 * One small interface, so no other file imports prom-client (docs/reference/routes.md
 * "Metrics"). Figures read at scrape time (the pool, the fallbacks) are not fed through it.
 * Every method is synchronous and must never throw.
 */
export interface Metrics {
  /** One answered request: its route template (or {@link UNMATCHED_ROUTE}), method, status and duration. */
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  /** A request the route's rate limit refused (429). */
  rateLimited(route: string): void;
  /** A cacheable GET that found (`hit`) or did not find (`miss`) its body in the cache. */
  cacheRequest(route: string, result: 'hit' | 'miss'): void;
  /** A login attempt's outcome. */
  login(result: LoginResult): void;
  /** How long one password hash waited for a worker thread. */
  hashQueueWait(seconds: number): void;
}

/** The route label of a request under the prefix that no route matched (404/405): one fixed value. */
export const UNMATCHED_ROUTE = 'unmatched';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The method as a label: the usual ones, else `OTHER` (the client picks the method, so it is bounded here). */
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'OTHER';
}

/** Metrics that go nowhere: for pipelines built without a core (tests, tools). */
export const noopMetrics: Metrics = Object.freeze({
  httpRequest: () => undefined,
  rateLimited: () => undefined,
  cacheRequest: () => undefined,
  login: () => undefined,
  hashQueueWait: () => undefined,
});

export const METRICS = Symbol.for('app.Metrics');
