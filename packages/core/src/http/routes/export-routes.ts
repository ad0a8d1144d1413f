import { usersCsvSchema, usersExportSchema } from '../../schemas/export';
import { userResponseSchema } from '../../schemas/user';
import { defineRoute, type Route } from '../route';

/** `20260115_103000` for a UTC instant: the timestamp part of an export's file name. */
export function exportFileStamp(now: Date): string {
  const iso = now.toISOString(); // 2026-01-15T10:30:00.123Z
  return `${iso.slice(0, 10).replaceAll('-', '')}_${iso.slice(11, 19).replaceAll(':', '')}`;
}

/** The `/export` routes of SPEC §4; the two bulk exports stream, never buffering every user. */
export function createExportRoutes(prefix: string, now: () => Date = () => new Date()): Route[] {
  const base = `${prefix}/export`;
  return [
    defineRoute({
      id: 'export.myData',
      method: 'GET',
      path: `${base}/my-data`,
      auth: 'user',
      schemas: { response: userResponseSchema, successStatus: 200 },
      summary: 'Export the current user’s own data',
      tags: ['export'],
      handler: async ({ services, auth }) => ({ body: await services.export.exportUser(auth.user) }),
    }),
    defineRoute({
      id: 'export.usersJson',
      method: 'GET',
      path: `${base}/users/json`,
      auth: 'superuser',
      schemas: { response: usersExportSchema, successStatus: 200 },
      summary: 'Export every user as JSON, ordered by id (streamed)',
      tags: ['export'],
      handler: async ({ services }) => ({
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        stream: services.export.json(),
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
      handler: async ({ services }) => ({
        headers: {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename=users_export_${exportFileStamp(now())}.csv`,
        },
        stream: services.export.csv(),
      }),
    }),
  ];
}
