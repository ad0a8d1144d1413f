import { z } from 'zod';
import { decodeAuditCursor, type AuditCursor } from '../audit/audit-event';
import { auditEventTypes } from '../audit/audit-rules';

/**
 * The wire schemas of the audit trail (docs/reference/routes.md "Audit events"). The query
 * schemas are THE inputs of `AuditService`: the pipeline parses the query string with them and
 * the service enforces the same ones, so a worker meets the same rules.
 */

const MAX_ID = 2_147_483_647;

/** A positive user id: query-string digits or, from a worker, a number. */
const userIdSchema = z.preprocess(
  (value) => (typeof value === 'number' ? String(value) : value),
  z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, 'must be a positive integer')
    .transform(Number)
    .pipe(z.number().max(MAX_ID, 'must be a positive integer')),
);

/** `2026-01-15T10:30:00Z` (any offset) or `2026-01-15` (00:00 UTC); a worker may pass a Date. */
const instantSchema = z.preprocess(
  (value) => (value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : value),
  z
    .string()
    .max(40)
    .transform((text, ctx): Date => {
      const date = parseInstant(text);
      if (!date) {
        ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 date-time with a zone (2026-01-15T10:30:00Z) or a date (2026-01-15)' });
        return z.NEVER;
      }
      return date;
    }),
);

function parseInstant(text: string): Date | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text = `${text}T00:00:00.000Z`;
  else if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const typeSchema = z
  .string()
  .max(64, 'must be at most 64 characters')
  .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/, 'must be an event type such as login.failed')
  .meta({ description: `One event type: ${Object.keys(auditEventTypes()).join(', ')}` });

/** The filters both routes take; `since` is inclusive, `until` exclusive. */
const filterShape = {
  type: typeSchema.optional(),
  actor_user_id: userIdSchema.optional(),
  subject_user_id: userIdSchema.optional(),
  since: instantSchema.optional().meta({ description: 'Events at or after this instant' }),
  until: instantSchema.optional().meta({ description: 'Events before this instant' }),
};

const cursorSchema = z
  .string()
  .transform((text, ctx): AuditCursor => {
    const cursor = decodeAuditCursor(text);
    if (!cursor) {
      ctx.addIssue({ code: 'custom', message: 'must be a next_cursor returned by this route' });
      return z.NEVER;
    }
    return cursor;
  })
  .meta({ description: 'The `next_cursor` of the previous page (opaque)' });

/** `GET /audit-events`: filters, the opaque cursor and the page size (1–100, default 50). */
export const auditListQuerySchema = z.object({
  ...filterShape,
  cursor: cursorSchema.optional(),
  size: z.coerce.number().int().min(1).max(100).default(50),
});

/** `GET /audit-events/export`: the filters and the format (default `json`). */
export const auditExportQuerySchema = z.object({
  ...filterShape,
  format: z.enum(['csv', 'json']).default('json'),
});

/** What `AuditService.list` takes: the query string's keys, or typed values from a worker. */
export type AuditListInput = z.input<typeof auditListQuerySchema>;
/** The validated list query. */
export type AuditListQuery = z.output<typeof auditListQuerySchema>;
/** What `AuditService.json` / `csv` take: the filters only (the format picks the method). */
export type AuditExportInput = Omit<z.input<typeof auditExportQuerySchema>, 'format'>;

/** One event as the API sends it. */
export const auditEventSchema = z.object({
  id: z.number().int(),
  type: z.string(),
  occurred_at: z.iso.datetime(),
  actor_user_id: z.number().int().nullable().meta({ description: 'Who did it; null for an anonymous caller or a worker' }),
  subject_user_id: z.number().int().nullable().meta({ description: 'Whom it concerns; kept after that user is deleted' }),
  ip_address: z.string().nullable(),
  user_agent: z.string().nullable(),
  request_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).meta({ description: 'JSON object whose keys depend on the type; never a password, hash or token' }),
});

/** `GET /audit-events`. */
export const auditPageSchema = z.object({
  items: z.array(auditEventSchema),
  next_cursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page' }),
});

/** `GET /audit-events/export?format=json`. */
export const auditExportSchema = z.object({ exported_at: z.string(), events: z.array(auditEventSchema) });

/** `GET /audit-events/export?format=csv`. */
export const auditCsvSchema = z.string().meta({ description: 'CSV with a header row, one event per line, newest first' });
