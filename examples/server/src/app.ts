import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { ConfigError, errorResponse, writeNodeResponse, type Core } from '@app/core';
import { createExpressRouter } from '@app/express';
import { corePlugin, createFrameworkErrors } from '@app/fastify';
import { createKoaRouter } from '@app/koa';

/** The HTTP frameworks the example server can embed the core in. */
export type Framework = 'express' | 'koa' | 'fastify';

/** `false` (trust no proxy), `true` (trust every hop) or the number of proxy hops to trust. */
export type TrustProxy = boolean | number;

/** Options of {@link createApp}: which framework, and how far to trust `X-Forwarded-For`. */
export interface AppOptions {
  framework: Framework;
  trustProxy: TrustProxy;
}

/**
 * Reads `HTTP_FRAMEWORK`: `express` (the default), `koa` or `fastify`.
 *
 * @throws ConfigError naming the variable for any other value.
 */
export function readFramework(env: NodeJS.ProcessEnv = process.env): Framework {
  const value = (env.HTTP_FRAMEWORK ?? '').trim().toLowerCase() || 'express';
  if (value === 'express' || value === 'koa' || value === 'fastify') return value;
  throw new ConfigError(`Invalid HTTP_FRAMEWORK: must be express, koa or fastify, got "${env.HTTP_FRAMEWORK}"`);
}

/**
 * Reads `TRUST_PROXY`: unset or `false` trusts no proxy (the client IP is the socket's),
 * `true` trusts every hop, a positive integer trusts that many hops of `X-Forwarded-For`.
 *
 * @throws ConfigError naming the variable for any other value.
 */
export function readTrustProxy(env: NodeJS.ProcessEnv = process.env): TrustProxy {
  const value = (env.TRUST_PROXY ?? '').trim().toLowerCase();
  if (value === '' || value === 'false' || value === '0') return false;
  if (value === 'true') return true;
  if (/^[1-9][0-9]?$/.test(value)) return Number(value);
  throw new ConfigError(`Invalid TRUST_PROXY: must be true, false or a number of proxy hops, got "${env.TRUST_PROXY}"`);
}

/** The `GET /` body: where a newcomer goes next. */
function welcome(core: Core) {
  return {
    name: core.config.appName,
    version: core.config.appVersion,
    docs: `${core.http.prefix}/openapi.json`,
    health: '/health',
  };
}

/**
 * The server's own 404 for paths outside the API, in the API's envelope with a request id
 * and the security headers (never the framework's HTML page).
 */
function notFound(req: IncomingMessage, res: ServerResponse, https: boolean): Promise<void> {
  return writeNodeResponse(req, res, errorResponse('not_found_error', { headers: req.headers, https }));
}

/**
 * Builds the host application around the core's adapter and returns it as a plain Node
 * request listener, so the caller owns the `http.Server` (its limits and graceful shutdown).
 */
export async function createApp(core: Core, options: AppOptions): Promise<RequestListener> {
  if (options.framework === 'koa') return createKoaApp(core, options);
  if (options.framework === 'fastify') return createFastifyApp(core, options);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy);
  app.get('/', (_req, res) => {
    res.json(welcome(core));
  });
  app.use(createExpressRouter(core));
  app.use((req, res) => void notFound(req, res, req.protocol === 'https'));
  return app;
}

function createKoaApp(core: Core, options: AppOptions): RequestListener {
  const app = new Koa();
  // Koa reads X-Forwarded-For only when `proxy` is on; `maxIpsCount` bounds the hops.
  app.proxy = options.trustProxy !== false;
  if (typeof options.trustProxy === 'number') app.maxIpsCount = options.trustProxy;
  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/') ctx.body = welcome(core);
    else await next();
  });
  app.use(createKoaRouter(core).routes());
  app.use(async (ctx) => {
    ctx.respond = false;
    await notFound(ctx.req, ctx.res, ctx.protocol === 'https');
  });
  return app.callback();
}

async function createFastifyApp(core: Core, options: AppOptions): Promise<RequestListener> {
  let listener: RequestListener | undefined;
  // The caller owns the server: Fastify hands over its request handler instead of listening.
  const serverFactory = (handler: RequestListener) => {
    listener = handler;
    return createServer();
  };
  const { trustProxy } = options;
  // Fastify counts hops with a function: trust the first `trustProxy` of them.
  const trust = typeof trustProxy === 'number' ? (_address: string, hop: number) => hop < trustProxy : trustProxy;
  const app = Fastify({ trustProxy: trust, serverFactory, frameworkErrors: createFrameworkErrors(core) });
  app.get('/', async () => welcome(core));
  app.setNotFoundHandler(async (request, reply) => {
    reply.hijack();
    await notFound(request.raw as IncomingMessage, reply.raw as ServerResponse, request.protocol === 'https');
  });
  await app.register(corePlugin, { core });
  await app.ready();
  return listener!;
}
