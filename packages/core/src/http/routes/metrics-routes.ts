import { poolMetricsSchema } from '../../schemas/stats';
import { defineRoute, type Route } from '../route';

/** `GET /metrics/database`: connection-pool figures. */
export function createMetricsRoutes(prefix: string): Route[] {
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
