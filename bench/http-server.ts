/**
 * One server of `bench:http`, run as a child process so that it has its own event loop and
 * the load generator in the parent does not share it:
 *
 *   node --import tsx bench/http-server.ts express|koa|fastify|bare|floor
 *
 * Reads BENCH_DB_URL, SECRET_KEY, BCRYPT_ROUNDS and BENCH_CACHE (off|memory|redis, with
 * BENCH_REDIS_URL and BENCH_REDIS_PREFIX); listens on an ephemeral port and prints
 * `{"port": <n>}` on one stdout line when ready; on SIGTERM it finishes in-flight requests,
 * closes its pools and exits.
 */
import { createSecretKey } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { createConsoleLogger, createCore, type Logger } from '@app/core';
import { createExpressRouter } from '@app/express';
import { corePlugin } from '@app/fastify';
import { createKoaRouter } from '@app/koa';
import { createBareExpressApp } from './bare-express';

const kind = process.argv[2];
const databaseUrl = process.env.BENCH_DB_URL;
const secretKey = process.env.SECRET_KEY;
if (!databaseUrl || !secretKey) throw new Error('BENCH_DB_URL and SECRET_KEY are required');
let stopping = false;

async function start(): Promise<{ server: Server; close: () => Promise<void> }> {
  if (kind === 'bare') {
    // The same JWT check as the core's JwtTokenService: jsonwebtoken with a KeyObject.
    const key = createSecretKey(Buffer.from(secretKey!, 'utf8'));
    const bare = createBareExpressApp({ databaseUrl: databaseUrl!, secretKey: key });
    return { server: bare.app.listen(0, '127.0.0.1'), close: bare.close };
  }
  if (kind === 'floor') {
    // The ceiling of any Express adapter: Express answering each measured path with the bytes
    // and headers the adapter sent (BENCH_FLOOR_REPLIES), with no core, SQL or token check.
    const replies = JSON.parse(process.env.BENCH_FLOOR_REPLIES ?? '{}') as Record<string, { headers: Record<string, string>; body: string }>;
    const app = express().use((req, res, next) => {
      const reply = replies[req.url];
      if (!reply) return next();
      for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
      res.end(reply.body);
    });
    return { server: app.listen(0, '127.0.0.1'), close: async () => undefined };
  }
  // BENCH_CACHE off (the default) for a like-for-like comparison of the pipelines; memory or
  // redis to measure the cached hot path (session lookup + response). Limiter off: one
  // client IP sends every request.
  const cache = process.env.BENCH_CACHE ?? 'off';
  const core = await createCore({
    environment: 'test',
    // Logins still queued on the hashing pool when the load generator hangs up fail with
    // "hasher is closed" at shutdown; their clients are gone, so those are not reported.
    logger: { ...createConsoleLogger({ level: 'warn' }), error: (...args: unknown[]) => stopping || console.error(...args) } as Logger,
    database: { url: databaseUrl!, poolMax: 10 },
    secretKey,
    bcryptRounds: Number(process.env.BCRYPT_ROUNDS ?? 12),
    cacheEnabled: cache !== 'off',
    ...(cache === 'redis' ? { redis: { cacheUrl: process.env.BENCH_REDIS_URL, keyPrefix: process.env.BENCH_REDIS_PREFIX } } : {}),
    limiterEnabled: false,
  });
  if (kind === 'express') {
    const app = express();
    app.use(createExpressRouter(core));
    return { server: app.listen(0, '127.0.0.1'), close: core.close };
  }
  if (kind === 'koa') {
    const app = new Koa();
    app.use(createKoaRouter(core).routes());
    return { server: app.listen(0, '127.0.0.1'), close: core.close };
  }
  if (kind === 'fastify') {
    const app = Fastify();
    await app.register(corePlugin, { core });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { server: app.server, close: async () => void (await core.close()) };
  }
  throw new Error(`unknown server kind: ${kind}`);
}

const { server, close } = await start();
const announce = () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
if (server.listening) announce();
else server.once('listening', announce);
process.once('SIGTERM', () => {
  stopping = true;
  // Let requests still queued on the hashing pool (the login load) finish before the pools close.
  server.close(() => void close().finally(() => process.exit(0)));
  server.closeIdleConnections();
});
