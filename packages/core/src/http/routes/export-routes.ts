import { z } from 'zod';
import { usersCsvSchema, usersExportSchema } from '../../schemas/export';
import { defineRoute, type Route } from '../route';
import type { CoreRouteDeps } from './route-deps';

/** `20260115_103000` for a UTC instant: the timestamp part of an export's file name. */
export function exportFileStamp(now: Date): string {
  const iso = now.toISOString(); // 2026-01-15T10:30:00.123Z
  return `${iso.slice(0, 10).replaceAll('-', '')}_${iso.slice(11, 19).replaceAll(':', '')}`;
}

/**
 * The `/export` routes (docs/reference/routes.md "Exports"); the two bulk exports stream,
 * never buffering every user. Their columns are the registry's exported fields.
 */
export function createExportRoutes({ prefix, fields, schemas, clock }: CoreRouteDeps): Route[] {
  const base = `${prefix}/export`;
  const exported = z.object(Object.fromEntries(fields.exported.map((field) => [field.name, field.output])));
  return [
    defineRoute({
      id: 'export.myData',
      method: 'GET',
      path: `${base}/my-data`,
      auth: 'user',
      schemas: { response: schemas.response, successStatus: 200 },
      summary: 'Export the current user’s own data',
      tags: ['export'],
      handler: async ({ auth }) => ({ body: fields.project(auth.user) }),
    }),
    defineRoute({
      id: 'export.usersJson',
      method: 'GET',
      path: `${base}/users/json`,
      auth: 'superuser',
      schemas: { response: usersExportSchema(exported), successStatus: 200 },
      summary: 'Export every user as JSON, ordered by id (streamed)',
      tags: ['export'],
      handler: async ({ services, auth }) => ({
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        stream: services.export.json({ actor: auth.user }),
      }),
    }),
    defineRoute({
      id: 'export.usersCsv',
      method: 'GET',
      path: `${base}/users/csv`,
      auth: 'superuser',
      schemas: {
        response: usersCsvSchema,
        responseMediaType: 'text/csv',
        responseHeaders: { 'Content-Disposition': '`attachment; filename=users_export_YYYYMMDD_HHMMSS.csv` (UTC)' },
        successStatus: 200,
      },
      summary: 'Export every user as CSV, ordered by id (streamed)',
      tags: ['export'],
      handler: async ({ services, auth }) => ({
        headers: {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename=users_export_${exportFileStamp(clock.now())}.csv`,
        },
        stream: services.export.csv({ actor: auth.user }),
      }),
    }),
  ];
}
