import type { Route } from './route';
import type { CoreRouteDeps } from './routes/route-deps';
import { createAuditRoutes } from './routes/audit-routes';
import { createAuthRoutes } from './routes/auth-routes';
import { createDashboardRoutes } from './routes/dashboard-routes';
import { createExportRoutes } from './routes/export-routes';
import { createMetricsRoutes } from './routes/metrics-routes';
import { createSystemRoutes } from './routes/system-routes';
import { createUserRoutes } from './routes/user-routes';

/**
 * Every core route (docs/reference/routes.md) for one core, in a stable order (which is also
 * the order of the OpenAPI document).
 */
export function createRouteTable(deps: CoreRouteDeps): Route[] {
  return [
    ...createSystemRoutes(deps),
    ...createAuthRoutes(deps),
    ...createUserRoutes(deps),
    ...createExportRoutes(deps),
    ...createDashboardRoutes(deps),
    ...createAuditRoutes(deps),
    ...createMetricsRoutes(deps),
  ];
}
