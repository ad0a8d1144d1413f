import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Core, HttpResponse } from '@app/core';
import { toHttpRequest } from './to-http-request';

/** Options of {@link createExpressRouter}. */
export interface ExpressRouterOptions {
  /**
   * Told when a streamed body (the CSV export) fails after its headers were sent, so the
   * response can only be cut short. Defaults to the core's logger. A client that hangs up is
   * not an error and is not reported.
   */
  onStreamError?: (error: Error) => void;
}

type RouterMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

/**
 * An Express router serving the core's HTTP API: every route of `core.http.routes` with its
 * own method and path, plus the 404/405 envelope for anything else under the API prefix.
 *
 * It changes nothing on the host: no settings, no global middleware. The host's
 * `trust proxy` setting decides the client IP (rate limits) and the protocol (HSTS). A JSON
 * body the host already parsed (e.g. `express.json()`) is reused; otherwise the core reads the
 * raw stream and enforces its own size limit, media type and JSON syntax. Errors a host
 * parser raises itself (its own 400 or 413) never reach the router.
 *
 * @example
 * const core = await createCore({ database: { url: 'sqlite:./data/app.sqlite' }, migrate: true });
 * const app = express();
 * app.set('trust proxy', 1); // when behind one reverse proxy
 * app.use(createExpressRouter(core));
 * app.listen(8000);
 */
export function createExpressRouter(core: Core, options: ExpressRouterOptions = {}): Router {
  const { http } = core;
  const onStreamError =
    options.onStreamError ?? ((error: Error) => core.config.logger.error(`Streaming a response failed: ${error.message}`));
  const router = express.Router();

  for (const route of http.routes) {
    router[route.method.toLowerCase() as RouterMethod](route.path, async (req: Request, res: Response) => {
      const response = await http.handle(route, toHttpRequest(req, req.path));
      await writeResponse(res, response, onStreamError);
    });
  }

  const unmatched = (underPrefix: boolean) => async (req: Request, res: Response) => {
    // Under `router.use(prefix)` Express strips the prefix from req.path: put it back.
    const path = underPrefix ? http.prefix + (req.path === '/' ? '' : req.path) : req.path;
    const response = await http.handleUnmatched(toHttpRequest(req, path));
    await writeResponse(res, response, onStreamError);
  };
  // A known path outside the prefix (/health) with a wrong method still gets the 405 envelope.
  const outsidePrefix = new Set(http.routes.map((route) => route.path).filter((path) => !isUnder(path, http.prefix)));
  for (const path of outsidePrefix) router.all(path, unmatched(false));
  router.use(http.prefix, unmatched(true));
  // Express's router throws a URIError (its own HTML 400) for a path parameter with a
  // malformed percent-escape before any handler runs; the core routes that request itself
  // and answers in the envelope, as it does on Koa (422 for the parameter).
  router.use(async (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!(error instanceof URIError) || res.headersSent) return next(error);
    await writeResponse(res, await http.dispatch(toHttpRequest(req, req.path)), onStreamError);
  });
  return router;
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * Copies the plain response onto Node's response object directly: `res.json`/`res.send`
 * would add an ETag and apply the host's JSON settings.
 */
async function writeResponse(res: Response, response: HttpResponse, onStreamError: (error: Error) => void): Promise<void> {
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  const { body } = response;
  switch (body.kind) {
    case 'json':
      return endWith(res, JSON.stringify(body.value) ?? 'null', 'application/json');
    case 'text':
      return endWith(res, body.value, 'text/plain; charset=utf-8');
    case 'empty':
      res.end();
      return;
    case 'stream':
      try {
        // pipeline() waits on backpressure and, if the client goes away, ends the source
        // iterator so the export stops reading the database.
        await pipeline(Readable.from(body.chunks), res);
      } catch (error) {
        if (!res.writableFinished && !isPrematureClose(error)) onStreamError(asError(error));
      }
  }
}

function endWith(res: Response, text: string, defaultType: string): void {
  if (!res.hasHeader('content-type')) res.setHeader('content-type', defaultType);
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

function isPrematureClose(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
