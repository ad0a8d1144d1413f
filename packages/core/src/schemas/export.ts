import { z } from 'zod';
import { userResponseSchema } from './user';

/** `GET /export/users/json`: every user ordered by id. */
export const usersExportSchema = z.object({
  exported_at: z.string(),
  total_users: z.number().int(),
  users: z.array(userResponseSchema),
});

/** `GET /export/users/csv`: a header line, then one line per user. */
export const usersCsvSchema = z.string().meta({ description: 'CSV with a header row, one user per line' });
