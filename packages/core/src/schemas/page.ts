import { z } from 'zod';

/** `Page<T>` (docs/reference/routes.md): one page of items plus the totals of the unpaginated query. */
export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    page: z.number().int(),
    size: z.number().int(),
    pages: z.number().int(),
    approximate: z
      .literal(true)
      .optional()
      .describe('Only when `total` (and `pages`) are an estimate: more rows matched than are counted exactly'),
  });
