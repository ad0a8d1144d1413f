import { dashboardStatsSchema } from '../../schemas/stats';
import { defineRoute, type Route } from '../route';
import type { CoreRouteDeps } from './route-deps';

/** `GET /dashboard/stats`: the service caches for 60 s and says whether it served a hit. */
export function createDashboardRoutes({ prefix }: CoreRouteDeps): Route[] {
  return [
    defineRoute({
      id: 'dashboard.stats',
      method: 'GET',
      path: `${prefix}/dashboard/stats`,
      auth: 'superuser',
      schemas: {
        response: dashboardStatsSchema,
        responseHeaders: { 'X-Cache': '`HIT` when the figures came from the cache, else `MISS`' },
        successStatus: 200,
      },
      summary: 'User statistics (cached 60 s)',
      tags: ['dashboard'],
      handler: async ({ services }) => {
        const { stats, cached } = await services.dashboard.getStats();
        return { body: stats, headers: { 'X-Cache': cached ? 'HIT' : 'MISS' } };
      },
    }),
  ];
}
