import { signupsQuerySchema, signupsSchema } from '../../schemas/signups';
import { dashboardStatsSchema } from '../../schemas/stats';
import { defineRoute, type Route } from '../route';
import type { CoreRouteDeps } from './route-deps';

/**
 * `GET /dashboard/stats` and `GET /dashboard/signups`: the service caches each for 60 s and
 * says whether it served a hit.
 */
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
    defineRoute({
      id: 'dashboard.signups',
      method: 'GET',
      path: `${prefix}/dashboard/signups`,
      auth: 'superuser',
      schemas: {
        query: signupsQuerySchema,
        response: signupsSchema,
        responseHeaders: { 'X-Cache': '`HIT` when the series came from the cache, else `MISS`' },
        successStatus: 200,
      },
      summary: 'New users per UTC day (cached 60 s)',
      description: 'The last `days` UTC days (1–365, default 30), today included, oldest first; days without signups have count 0.',
      tags: ['dashboard'],
      handler: async ({ services, query }) => {
        const { signups, cached } = await services.dashboard.getSignups(query);
        return { body: signups, headers: { 'X-Cache': cached ? 'HIT' : 'MISS' } };
      },
    }),
  ];
}
