import { toAuditJson } from '../../audit/audit-event';
import { auditCsvSchema, auditExportQuerySchema, auditExportSchema, auditListQuerySchema, auditPageSchema } from '../../schemas/audit';
import { defineRoute, type Route } from '../route';
import { exportFileStamp } from './export-routes';
import type { CoreRouteDeps } from './route-deps';

/**
 * The audit trail's routes (docs/reference/routes.md "Audit events"): one page at a time with
 * an opaque cursor, and the streamed export of every match. Superusers only.
 */
export function createAuditRoutes({ prefix, clock }: CoreRouteDeps): Route[] {
  const base = `${prefix}/audit-events`;
  return [
    defineRoute({
      id: 'audit.list',
      method: 'GET',
      path: base,
      auth: 'superuser',
      schemas: { query: auditListQuerySchema, response: auditPageSchema, successStatus: 200 },
      summary: 'Audit events, newest first, filtered, with cursor paging',
      description:
        'Filters combine with AND; `since` is inclusive and `until` exclusive. Pass `next_cursor` back as `cursor` ' +
        'for the next page; the cursor is a position in (occurred_at, id), so events added meanwhile never shift a page.',
      tags: ['audit'],
      handler: async ({ services, query }) => {
        const page = await services.audit.list(query);
        return { body: { items: page.items.map(toAuditJson), next_cursor: page.next_cursor } };
      },
    }),
    defineRoute({
      id: 'audit.export',
      method: 'GET',
      path: `${base}/export`,
      auth: 'superuser',
      schemas: {
        query: auditExportQuerySchema,
        response: auditExportSchema,
        responseHeaders: {
          'Content-Type': '`application/json` or, with `format=csv`, `text/csv` (body: a header row, one event per line)',
          'Content-Disposition': '`attachment; filename=audit_events_YYYYMMDD_HHMMSS.<csv|json>` (UTC)',
        },
        successStatus: 200,
      },
      summary: 'Export every matching audit event as JSON or CSV, newest first (streamed)',
      description: `The CSV columns are those of the JSON items, \`details\` as JSON text. The export is itself recorded as an \`export.run\` event. ${auditCsvSchema.description ?? ''}`,
      tags: ['audit'],
      handler: async ({ services, query, auth }) => {
        const { format, ...filters } = query;
        const csv = format === 'csv';
        const stream = csv ? services.audit.csv(filters, { actor: auth.user }) : services.audit.json(filters, { actor: auth.user });
        return {
          headers: {
            'Content-Type': csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
            'Content-Disposition': `attachment; filename=audit_events_${exportFileStamp(clock.now())}.${format}`,
          },
          stream,
        };
      },
    }),
  ];
}
