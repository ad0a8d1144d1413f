import { poolMetricsSchema } from '../../schemas/stats';
import { defineRoute, type Route } from '../route';
import type { CoreRouteDeps } from './route-deps';

/** `GET /metrics/database`: connection-pool figures. */
export function createMetricsRoutes({ prefix }: CoreRouteDeps): Route[] {
  return [
    defineRoute({
      id: 'metrics.database',
      method: 'GET',
      path: `${prefix}/metrics/database`,
      auth: 'superuser',
      schemas: { response: poolMetricsSchema, successStatus: 200 },
      summary: 'Database connection-pool metrics',
      tags: ['metrics'],
      handler: async ({ services }) => ({ body: await services.metrics.getPoolMetrics() }),
    }),
  ];
}
