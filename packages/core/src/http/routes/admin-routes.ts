import { z } from 'zod';
import { notFoundError } from '../../errors/app-error';
import { defineRoute, type Route, type RouteResult } from '../route';
import { loadAdminBundle, renderShell, type AdminBundle, type AdminEntry } from './admin-assets';
import type { CoreRouteDeps } from './route-deps';

/**
 * The pages' CSP (docs/reference/routes.md, "Admin page"): everything from this origin, no
 * inline script or style. `data:` images only for the API reference, whose style sheet draws
 * its icons as data URIs.
 */
export const ADMIN_CSP = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
export const DOCS_CSP = "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/** Asset names carry a content hash, so a stored copy never goes stale. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const html = z.string().meta({ description: 'An HTML page (the application shell; it holds no data)' });

/** A single-chunk stream: the pipeline's way to send a body that is not JSON. */
async function* once(body: Buffer | string): AsyncIterable<Buffer | string> {
  yield body;
}

/**
 * The `/dashboard` pages, their assets and `/docs` (docs/guides/admin.md). Public: the shell
 * holds no data and signs in through the API like any client.
 */
export function createAdminRoutes({ prefix, appName, bulkMax }: CoreRouteDeps): Route[] {
  let bundle: AdminBundle | undefined;
  const loaded = (): AdminBundle => {
    bundle ??= loadAdminBundle();
    if (!bundle) throw notFoundError('The admin page is not built (npm run build)');
    return bundle;
  };
  // The one place that decides where the browser reaches the API: where the host mounted
  // the adapter (`app.use('/auth', …)`), then the API prefix.
  const browserBase = (mountPath: string) => `${mountPath}${prefix}`;
  const page = (title: string, entry: (assets: AdminBundle) => AdminEntry, meta: Record<string, string> = {}) =>
    async ({ mountPath }: { mountPath: string }): Promise<RouteResult> => ({
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
      stream: once(renderShell({ base: browserBase(mountPath), title, entry: entry(loaded()), meta })),
    });
  const appMeta = (view: string) => ({ 'app-view': view, 'app-bulk-max': String(bulkMax), 'app-name': appName });
  const shared = {
    method: 'GET',
    auth: 'none',
    tags: ['admin'],
    securityHeaders: { contentSecurityPolicy: ADMIN_CSP },
    schemas: { response: html, responseMediaType: 'text/html', successStatus: 200 },
  } as const;

  return [
    defineRoute({
      ...shared,
      id: 'admin.page',
      path: `${prefix}/dashboard`,
      summary: 'The admin web page (also at /dashboard/)',
      handler: page(`Admin · ${appName}`, (assets) => assets.app, appMeta('overview')),
    }),
    defineRoute({
      ...shared,
      id: 'admin.dataEntry',
      path: `${prefix}/dashboard/data-entry`,
      summary: 'The admin web page, opened on the create-user form',
      handler: page(`Create user · ${appName}`, (assets) => assets.app, appMeta('create')),
    }),
    defineRoute({
      ...shared,
      id: 'admin.docs',
      path: `${prefix}/docs`,
      summary: 'Interactive API reference over openapi.json',
      securityHeaders: { contentSecurityPolicy: DOCS_CSP },
      handler: page(`API reference · ${appName}`, (assets) => assets.docs),
    }),
    defineRoute({
      ...shared,
      id: 'admin.asset',
      path: `${prefix}/dashboard/assets/:file`,
      summary: 'A file of the admin bundle (only names its build manifest lists)',
      securityHeaders: { contentSecurityPolicy: ADMIN_CSP, cacheControl: IMMUTABLE },
      schemas: {
        params: z.object({ file: z.string().max(200) }),
        response: z.string().meta({ description: 'JavaScript, CSS or an image' }),
        responseMediaType: 'application/octet-stream',
        successStatus: 200,
      },
      errors: ['not_found_error'],
      handler: async ({ params }) => {
        const file = loaded().file(params.file);
        if (!file) throw notFoundError('Asset not found');
        return { headers: { 'Content-Type': file.contentType, 'Content-Length': String(file.body.length) }, stream: once(file.body) };
      },
    }),
  ];
}
