import type { HttpApi, MountedRoute } from './http-api';
import { buildOpenApiDocument } from './openapi';
import { Pipeline, type PipelineDeps } from './pipeline';
import { RouteMatcher } from './route-matcher';
import { createRouteTable } from './route-table';
import type { CoreRouteDeps } from './routes/route-deps';

/** What {@link createHttpApi} needs: the pipeline's deps plus what the routes are built from. */
export type HttpApiDeps = PipelineDeps & Pick<CoreRouteDeps, 'fields' | 'schemas' | 'account' | 'clock'>;

/**
 * Builds the HTTP contract of one core: the route table (docs/reference/routes.md: the core's
 * routes under `config.apiPrefix`, `/health`, the host's routes, minus the disabled ones), the
 * one matcher and pipeline that run it, and its OpenAPI 3.1 document per mount path.
 *
 * @throws ConfigError for a route policy naming an unknown route, or clashing host routes.
 * @example
 * const http = createHttpApi({ config, services, cache, limiter, executionContext });
 * const response = await http.dispatch(plainRequest); // undefined: not the API's path
 */
export function createHttpApi(deps: HttpApiDeps): HttpApi {
  const documents = new Map<string, Record<string, unknown>>();
  const openapi = (mountPath: string) => {
    let document = documents.get(mountPath);
    if (!document) {
      const info = { title: deps.config.appName, version: deps.config.appVersion, mountPath };
      document = buildOpenApiDocument(routes, info);
      // Mount paths are few (where the host mounted the API), but bound the map anyway.
      if (documents.size < 16) documents.set(mountPath, document);
    }
    return document;
  };
  const routes = createRouteTable(deps.config, {
    prefix: deps.config.apiPrefix,
    appName: deps.config.appName,
    bulkMax: deps.config.bulkMax,
    fields: deps.fields,
    schemas: deps.schemas,
    account: deps.account,
    clock: deps.clock,
    refreshCookie: deps.config.tokens.refreshCookie,
    openapi,
  });
  const pipeline = new Pipeline(deps, new RouteMatcher(routes, deps.config.apiPrefix));
  const mounted: readonly MountedRoute[] = Object.freeze(
    routes.map((route) => Object.freeze({ id: route.id, method: route.method, path: route.path })),
  );
  return {
    prefix: deps.config.apiPrefix,
    routes: mounted,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    dispatch: (request) => pipeline.dispatch(request),
    handle: (route, request) => pipeline.handle(typeof route === 'string' ? route : route.id, request),
    authenticate: (request, level) => pipeline.authenticate(request, level),
    settled: () => pipeline.settled(),
    // A copy, so a caller decorating the document cannot change what the route serves.
    openapi: (mountPath = '') => structuredClone(openapi(mountPath)),
  };
}
