import express from 'express';
import Koa from 'koa';
import type { RequestListener } from 'node:http';
import { ConfigError, type Core } from '@app/core';
import { createExpressRouter } from '@app/express';
import { createKoaRouter } from '@app/koa';

/** The HTTP frameworks the example server can embed the core in. */
export type Framework = 'express' | 'koa';

/** `false` (trust no proxy), `true` (trust every hop) or the number of proxy hops to trust. */
export type TrustProxy = boolean | number;

/** Options of {@link createApp}: which framework, and how far to trust `X-Forwarded-For`. */
export interface AppOptions {
  framework: Framework;
  trustProxy: TrustProxy;
}

/**
 * Reads `HTTP_FRAMEWORK`: `express` (the default) or `koa`.
 *
 * @throws ConfigError naming the variable for any other value.
 */
export function readFramework(env: NodeJS.ProcessEnv = process.env): Framework {
  const value = (env.HTTP_FRAMEWORK ?? '').trim().toLowerCase() || 'express';
  if (value === 'express' || value === 'koa') return value;
  throw new ConfigError(`Invalid HTTP_FRAMEWORK: must be express or koa, got "${env.HTTP_FRAMEWORK}"`);
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

// Paths outside the API (which answers its own 404s) still get JSON, not the framework's HTML.
const notFound = { error: 'not_found_error', message: 'Not Found', details: [] };

/**
 * Builds the host application around the core's router and returns it as a plain Node
 * request listener, so the caller owns the `http.Server` (and its graceful shutdown).
 */
export function createApp(core: Core, options: AppOptions): RequestListener {
  if (options.framework === 'koa') {
    const app = new Koa();
    // Koa reads X-Forwarded-For only when `proxy` is on; `maxIpsCount` bounds the hops.
    app.proxy = options.trustProxy !== false;
    if (typeof options.trustProxy === 'number') app.maxIpsCount = options.trustProxy;
    const router = createKoaRouter(core);
    app.use(async (ctx, next) => {
      if (ctx.method === 'GET' && ctx.path === '/') ctx.body = welcome(core);
      else await next();
    });
    app.use(router.routes());
    app.use((ctx) => {
      ctx.status = 404;
      ctx.body = notFound;
    });
    return app.callback();
  }
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy);
  app.get('/', (_req, res) => {
    res.json(welcome(core));
  });
  app.use(createExpressRouter(core));
  app.use((_req, res) => {
    res.status(404).json(notFound);
  });
  return app;
}
