import { Readable } from 'node:stream';
import Router, { type RouterContext, type RouterMiddleware } from '@koa/router';
import type { Core, HttpRequest, HttpResponse } from '@app/core';
import { toHttpRequest } from './to-http-request';

/** Options of {@link createKoaRouter}. */
export interface KoaRouterOptions {
  /**
   * Told when a streamed body (the CSV export) fails after its headers were sent, so the
   * response can only be cut short. Defaults to the core's logger. Koa also emits the
   * error on the app, as it does for any failing stream body.
   */
  onStreamError?: (error: Error) => void;
}

/** Statuses that carry no body; Koa turns `ctx.body = null` into 204 for any other. */
const EMPTY_STATUSES = new Set([204, 205, 304]);

/**
 * An `@koa/router` router serving the core's HTTP API: every route of `core.http.routes`
 * with its own method and path, plus the 404/405 envelope for anything else under the API
 * prefix. Mount it with `app.use(router.routes())`; do not add `router.allowedMethods()`,
 * the core answers 405 itself.
 *
 * It changes nothing on the host. The host's `app.proxy` setting decides the client IP (rate
 * limits) and the protocol (HSTS). A JSON body a host parser already read is reused;
 * otherwise the core reads the raw stream and enforces its own size limit, media type and
 * JSON syntax.
 *
 * @example
 * const core = await createCore({ database: { url: 'sqlite:./data/app.sqlite' }, migrate: true });
 * const app = new Koa();
 * app.proxy = true; // when behind a reverse proxy
 * app.use(createKoaRouter(core).routes());
 * app.listen(8000);
 */
export function createKoaRouter(core: Core, options: KoaRouterOptions = {}): Router {
  const { http } = core;
  const onStreamError =
    options.onStreamError ?? ((error: Error) => core.config.logger.error(`Streaming a response failed: ${error.message}`));
  const router = new Router();
  const serve =
    (run: (request: HttpRequest) => Promise<HttpResponse>): RouterMiddleware =>
    async (ctx) => {
      const response = await run(toHttpRequest(ctx, ctx.params));
      writeResponse(ctx, response, onStreamError);
    };

  for (const route of http.routes) {
    router.register(route.path, [route.method], serve((request) => http.handle(route, request)));
  }
  const unmatched = serve((request) => http.handleUnmatched({ ...request, params: {} }));
  // A known path outside the prefix (/health) with a wrong method still gets the 405 envelope.
  for (const path of new Set(http.routes.map((route) => route.path))) {
    if (!isUnder(path, http.prefix)) router.all(path, unmatched);
  }
  // Registered last: @koa/router runs matching routes in order and the first one answers.
  router.all(`${http.prefix}{/*rest}`, unmatched);
  return router;
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * Sets status, then headers, then the body, so Koa finds a Content-Type already set and adds
 * none of its own; an empty non-204 body is an empty string with its Content-Type removed.
 */
function writeResponse(ctx: RouterContext, response: HttpResponse, onStreamError: (error: Error) => void): void {
  ctx.status = response.status;
  for (const [name, value] of Object.entries(response.headers)) ctx.set(name, value);
  const { body } = response;
  switch (body.kind) {
    case 'json':
      setText(ctx, JSON.stringify(body.value) ?? 'null', 'application/json');
      return;
    case 'text':
      setText(ctx, body.value, 'text/plain; charset=utf-8');
      return;
    case 'empty':
      if (EMPTY_STATUSES.has(response.status)) {
        ctx.body = null;
      } else {
        ctx.body = '';
        ctx.remove('Content-Type');
      }
      return;
    case 'stream': {
      // Koa pipes the stream with backpressure and destroys it when the client goes away,
      // which ends the source iterator so the export stops reading the database.
      const stream = Readable.from(body.chunks);
      stream.once('error', (error) => {
        if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') onStreamError(error);
      });
      ctx.body = stream;
    }
  }
}

function setText(ctx: RouterContext, text: string, defaultType: string): void {
  if (!ctx.response.get('Content-Type')) ctx.set('Content-Type', defaultType);
  ctx.body = text;
}
