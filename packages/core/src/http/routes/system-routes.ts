import { z } from 'zod';
import { healthReportSchema } from '../../schemas/health';
import { defineRoute, type Route } from '../route';
import type { CoreRouteDeps } from './route-deps';

/** `GET /health` (outside the prefix; `healthPath` moves it) and `GET {prefix}/openapi.json`. */
export function createSystemRoutes({ prefix, openapi }: CoreRouteDeps): Route[] {
  return [
    defineRoute({
      id: 'system.health',
      method: 'GET',
      path: '/health',
      auth: 'none',
      schemas: { response: healthReportSchema, successStatus: 200 },
      summary: 'Health of the database, cache and rate limiter',
      description: 'HTTP 503 when the database is down; a down Redis makes the status `degraded` (HTTP 200).',
      tags: ['system'],
      errors: ['service_unavailable'],
      handler: async ({ services }) => {
        const report = await services.health.check();
        return { status: report.status === 'unhealthy' ? 503 : 200, body: report };
      },
    }),
    defineRoute({
      id: 'system.openapi',
      method: 'GET',
      path: `${prefix}/openapi.json`,
      auth: 'none',
      schemas: {
        response: z.record(z.string(), z.unknown()).meta({ description: 'An OpenAPI 3.1 document' }),
        successStatus: 200,
      },
      summary: 'This OpenAPI 3.1 document',
      tags: ['system'],
      handler: async ({ mountPath }) => ({ body: openapi(mountPath) }),
    }),
  ];
}
