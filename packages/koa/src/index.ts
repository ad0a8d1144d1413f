import Router, { type RouterContext } from '@koa/router';
import type { Middleware } from 'koa';
import { authenticateNodeRequest, handleNodeRequest, type AuthContext, type Core, type NodeRequestView } from '@app/core';

declare module 'koa' {
  interface DefaultState {
    /** The caller's user and session, set by a guard from `createKoaGuard`. */
    auth?: AuthContext;
  }
}

/** Options of {@link createKoaRouter}. */
export interface KoaRouterOptions {
  /** Told when a streamed body (an export) fails after its headers were sent; default the core's logger. */
  onStreamError?: (error: Error) => void;
}

const CATCH_ALL = '{/*rest}';

/** What Koa knows beyond Node: the router's mount, `app.proxy`'s IP and protocol, a parsed body. */
function view(ctx: RouterContext | Parameters<Middleware>[0], mountPath = ''): NodeRequestView {
  const path = ctx.path.slice(mountPath.length) || '/';
  return {
    url: ctx.querystring ? `${path}?${ctx.querystring}` : path,
    mountPath,
    ip: ctx.ip,
    protocol: ctx.protocol === 'https' ? 'https' : 'http',
    parsedBody: (ctx.request as { body?: unknown }).body,
  };
}

/**
 * An `@koa/router` router serving the core's HTTP API from wherever the host mounts it
 * (`app.use(router.routes())`, `router.prefix('/auth')`, `parent.use('/auth', router.routes())`):
 * one catch-all route hands every request to the core's one matcher; paths outside the
 * API's prefix and its root routes go on to the host's next middleware. Do not add
 * `router.allowedMethods()`: the core answers 405 itself.
 *
 * It changes nothing on the host. `app.proxy` decides the client IP and the protocol; a JSON
 * body a host parser already read is reused, else the core reads the stream itself.
 *
 * @example
 * const app = new Koa();
 * app.use(createKoaRouter(core).prefix('/auth').routes()); // /auth/health, /auth/api/v1/...
 */
export function createKoaRouter(core: Core, options: KoaRouterOptions = {}): Router {
  const onStreamError = options.onStreamError ?? ((error: Error) => core.config.logger.error(`Streaming a response failed: ${error.message}`));
  return new Router().all(CATCH_ALL, async (ctx, next) => {
    // The layer's path is the mount plus the catch-all, however the router was nested.
    const matched = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : CATCH_ALL;
    const beforeWrite = () => void (ctx.respond = false);
    const handled = await handleNodeRequest(core.http, ctx.req, ctx.res, view(ctx, matched.slice(0, -CATCH_ALL.length)), { onStreamError, beforeWrite });
    if (!handled) await next();
  });
}

/**
 * Middleware for the host's own routes: authenticates the bearer token with the core (an
 * active user with an active session; `superuser` also requires the flag) and sets
 * `ctx.state.auth`, or answers the envelope's 401/403 with a request id and security headers.
 *
 * @example
 * router.get('/reports', createKoaGuard(core, 'superuser'), (ctx) => { ctx.body = { by: ctx.state.auth!.user.username }; });
 */
export function createKoaGuard(core: Core, level: 'user' | 'superuser' = 'user'): Middleware {
  return async (ctx, next) => {
    const beforeWrite = () => void (ctx.respond = false);
    const auth = await authenticateNodeRequest(core.http, ctx.req, ctx.res, { ...view(ctx), level, beforeWrite });
    if (!auth) return;
    ctx.state.auth = auth;
    await next();
  };
}
