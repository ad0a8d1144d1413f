import { z } from 'zod';

/** `GET /export/users/json`: every user ordered by id, with the exported fields of `user`. */
export const usersExportSchema = (user: z.ZodType) =>
  z.object({
    exported_at: z.string(),
    total_users: z.number().int(),
    users: z.array(user),
  });

/** `GET /export/users/csv`: a header line, then one line per user. */
export const usersCsvSchema = z.string().meta({ description: 'CSV with a header row, one user per line' });
