import { z } from 'zod';

/** `GET /dashboard/stats` (docs/reference/routes.md). */
export const dashboardStatsSchema = z.object({
  total_users: z.number().int(),
  active_users: z.number().int(),
  inactive_users: z.number().int(),
  superusers: z.number().int(),
  /** Users created since 00:00 UTC today. */
  new_users_today: z.number().int(),
  /** Users created in the last 7×24 hours. */
  new_users_week: z.number().int(),
  timestamp: z.string(),
});

/** `GET /metrics/database` (docs/reference/routes.md "Database metrics"). */
export const poolMetricsSchema = z.object({
  pool_size: z.number().int(),
  checked_in: z.number().int(),
  checked_out: z.number().int(),
  waiting: z.number().int(),
  overflow: z.number().int(),
  total_connections: z.number().int(),
});
