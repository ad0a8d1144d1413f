import { ConfigError, type CoreConfig } from '../config/options';
import type { Route } from './route';
import type { CoreRouteDeps } from './routes/route-deps';
import { createAdminRoutes } from './routes/admin-routes';
import { createAccountRoutes } from './routes/account-routes';
import { createAuditRoutes } from './routes/audit-routes';
import { createAuthRoutes } from './routes/auth-routes';
import { createDashboardRoutes } from './routes/dashboard-routes';
import { createExportRoutes } from './routes/export-routes';
import { createMetricsRoutes } from './routes/metrics-routes';
import { createSessionRoutes } from './routes/session-routes';
import { createSystemRoutes } from './routes/system-routes';
import { createUserRoutes } from './routes/user-routes';

/** What the route table depends on. */
export type RouteTableConfig = Pick<
  CoreConfig,
  'apiPrefix' | 'healthPath' | 'metricsPath' | 'routes' | 'disabledRoutes' | 'rateLimits'
>;

/**
 * Every route one core serves (docs/reference/routes.md), in a stable order (also the OpenAPI
 * document's): the core's
 * routes minus `disabledRoutes`, then the host's `routes` with their paths put under the
 * prefix, each with its `rateLimits` override applied.
 *
 * @throws ConfigError for an unknown id in `disabledRoutes` or `rateLimits`, a host route
 *   whose id is taken, or two routes with one method and path.
 */
export function createRouteTable(config: RouteTableConfig, deps: CoreRouteDeps): Route[] {
  const prefix = config.apiPrefix;
  const core = [
    ...createSystemRoutes(deps).filter((route) => route.id !== 'system.health' || config.healthPath !== false),
    ...createAuthRoutes(deps),
    ...createAccountRoutes(deps),
    ...createUserRoutes(deps),
    ...createSessionRoutes(deps),
    ...createExportRoutes(deps),
    ...createDashboardRoutes(deps),
    ...createAuditRoutes(deps),
    ...createMetricsRoutes(deps),
    ...createAdminRoutes(deps),
  ]
    .filter((route) => route.id !== 'metrics.prometheus' || config.metricsPath !== false)
    .map((route) => (route.id === 'system.health' && config.healthPath ? { ...route, path: config.healthPath } : route))
    .map((route) => (route.id === 'metrics.prometheus' && config.metricsPath ? { ...route, path: config.metricsPath } : route));
  const host = config.routes.map((route) => ({ ...route, path: `${prefix}${route.path}` }));
  const known = new Set(core.map((route) => route.id));
  for (const id of config.disabledRoutes) {
    if (!known.has(id)) throw new ConfigError(`Invalid option disabledRoutes: no core route has the id "${id}"`);
  }
  const table = [...core.filter((route) => !config.disabledRoutes.includes(route.id)), ...host];
  assertDistinct(table);
  const ids = new Set(table.map((route) => route.id));
  for (const id of Object.keys(config.rateLimits)) {
    if (!ids.has(id)) throw new ConfigError(`Invalid option rateLimits.${id}: no route served has this id`);
  }
  return table.map((route) => {
    if (!(route.id in config.rateLimits)) return route;
    const rule = config.rateLimits[route.id];
    return { ...route, rateLimit: rule === false ? undefined : rule };
  });
}

function assertDistinct(routes: readonly Route[]): void {
  const ids = new Set<string>();
  const endpoints = new Set<string>();
  for (const route of routes) {
    if (ids.has(route.id)) throw new ConfigError(`Invalid option routes: the route id "${route.id}" is already taken`);
    // `:id` and `:userId` in the same place are the same endpoint.
    const endpoint = `${route.method} ${route.path.replace(/:[^/]+/g, ':')}`;
    if (endpoints.has(endpoint)) throw new ConfigError(`Invalid option routes: ${route.method} ${route.path} is served twice`);
    ids.add(route.id);
    endpoints.add(endpoint);
  }
}
