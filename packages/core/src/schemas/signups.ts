import { z } from 'zod';

/** Most days `GET /dashboard/signups` reports. */
export const MAX_SIGNUP_DAYS = 365;

/** `GET /dashboard/signups` query: `days` 1–365, default 30 (today included). */
export const signupsQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(MAX_SIGNUP_DAYS).default(30),
});

/** What `DashboardService.getSignups` takes: the query string, or a number from a worker. */
export type SignupsInput = z.input<typeof signupsQuerySchema>;

/** `GET /dashboard/signups`: one entry per UTC day, oldest first, zero-count days included. */
export const signupsSchema = z.object({
  days: z.array(
    z.object({
      date: z.iso.date().meta({ description: 'The UTC day, YYYY-MM-DD' }),
      count: z.number().int().meta({ description: 'Users created that day who still exist' }),
    }),
  ),
});

/** The body of `GET /dashboard/signups`. */
export type Signups = z.output<typeof signupsSchema>;
