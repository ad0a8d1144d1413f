import type { CoreConfig } from '../config/options';
import type { Route } from './route';
import { createAdminRoutes } from './routes/admin-routes';
import { createAuthRoutes } from './routes/auth-routes';
import { createDashboardRoutes } from './routes/dashboard-routes';
import { createExportRoutes } from './routes/export-routes';
import { createMetricsRoutes } from './routes/metrics-routes';
import { createSystemRoutes } from './routes/system-routes';
import { createUserRoutes } from './routes/user-routes';

/**
 * Every route of SPEC §4 for one core's configuration, in a stable order (which is also
 * the order of the OpenAPI document).
 */
export function createRouteTable(
  config: Pick<CoreConfig, 'apiPrefix' | 'appName' | 'bulkMax'>,
  openapi: () => Record<string, unknown>,
): Route[] {
  const prefix = config.apiPrefix;
  return [
    ...createSystemRoutes({ prefix, openapi }),
    ...createAuthRoutes(prefix),
    ...createUserRoutes(config),
    ...createExportRoutes(prefix),
    ...createDashboardRoutes(prefix),
    ...createMetricsRoutes(prefix),
    ...createAdminRoutes(config),
  ];
}
