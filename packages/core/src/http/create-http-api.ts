import type { HttpApi, MountedRoute } from './http-api';
import { buildOpenApiDocument } from './openapi';
import { Pipeline, type PipelineDeps } from './pipeline';
import { createRouteTable } from './route-table';
import type { CoreRouteDeps } from './routes/route-deps';

/** What {@link createHttpApi} needs: the pipeline's deps plus what the routes are built from. */
export type HttpApiDeps = PipelineDeps & Pick<CoreRouteDeps, 'fields' | 'schemas' | 'account' | 'clock'>;

/**
 * Builds the HTTP contract of one core: the route table (docs/reference/routes.md) under
 * `config.apiPrefix` (plus `/health`), the one pipeline that runs it, and its OpenAPI 3.1
 * document. Adapters call only the returned {@link HttpApi}; it never rejects.
 *
 * @example
 * const http = createHttpApi({ config, services, cache, limiter, executionContext });
 * const route = http.routes.find((r) => r.id === 'auth.me')!;
 * const response = await http.handle(route, plainRequest);
 */
export function createHttpApi(deps: HttpApiDeps): HttpApi {
  let document: Record<string, unknown> | undefined;
  const openapi = () =>
    (document ??= buildOpenApiDocument(routes, { title: deps.config.appName, version: deps.config.appVersion }));
  const routes = createRouteTable({
    prefix: deps.config.apiPrefix,
    bulkMax: deps.config.bulkMax,
    fields: deps.fields,
    schemas: deps.schemas,
    account: deps.account,
    clock: deps.clock,
    openapi,
  });
  const pipeline = new Pipeline(deps, routes);
  const mounted: readonly MountedRoute[] = Object.freeze(
    routes.map((route) => Object.freeze({ id: route.id, method: route.method, path: route.path })),
  );
  return {
    prefix: deps.config.apiPrefix,
    routes: mounted,
    handle: (route, request) => pipeline.handle(route.id, request),
    dispatch: (request) => pipeline.dispatch(request),
    handleUnmatched: (request) => pipeline.unmatched(request),
    // A copy, so a caller decorating the document cannot change what the route serves.
    openapi: () => structuredClone(openapi()),
  };
}
