import { z } from 'zod';
import { poolMetricsSchema } from '../../schemas/stats';
import { bearerToken } from '../bearer-token';
import { defineRoute, type Route } from '../route';
import type { CoreRouteDeps } from './route-deps';

/** A single-chunk stream: the pipeline's way to send a body that is not JSON. */
async function* once(body: string): AsyncIterable<string> {
  yield body;
}

/**
 * `GET /metrics/database`: connection-pool figures; `GET /metrics` (outside the prefix;
 * `metricsPath` moves it or leaves it out): the Prometheus text exposition, for
 * `Authorization: Bearer <METRICS_TOKEN>` when that is set, else for superusers.
 */
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
    defineRoute({
      id: 'metrics.prometheus',
      method: 'GET',
      path: '/metrics',
      // The access rule depends on METRICS_TOKEN, so the handler decides it (same envelope).
      auth: 'none',
      schemas: {
        response: z.string().meta({ description: 'Prometheus text exposition format 0.0.4' }),
        responseMediaType: 'text/plain; version=0.0.4',
        successStatus: 200,
      },
      summary: 'Prometheus metrics of this instance',
      description:
        'Answered only with `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set, else only to a superuser\'s access token.',
      tags: ['metrics'],
      errors: ['authentication_error', 'authorization_error'],
      handler: async ({ services, headers }) => {
        await services.metrics.authorizeScrape(bearerToken(headers));
        const { contentType, text } = await services.metrics.exposition();
        return { headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' }, stream: once(text) };
      },
    }),
  ];
}
