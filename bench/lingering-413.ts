/**
 * The lingering 413 on every adapter: clients that send an oversized body whole before
 * reading anything (the worst case for a server that closes early), against a reference
 * server measured in the same run that answers 413 and closes at once (what the adapters
 * did before the drain).
 *
 *   npm run bench:lingering
 *
 * Environment: BENCH_413_CLIENTS (per size and target, default 10).
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus } from 'node:os';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { createConsoleLogger, createCore, type Core } from '@app/core';
import { createExpressRouter } from '@app/express';
import { corePlugin } from '@app/fastify';
import { createKoaRouter } from '@app/koa';
import { sendThenRead } from '../packages/core/src/testing/conformance/raw-request';
import { printTable } from './lib/table';

const MiB = 1024 * 1024;
const SIZES = [2, 4, 8, 16];
const clients = Number(process.env.BENCH_413_CLIENTS ?? 10);

/** What the adapters did before: answer 413 with Connection: close and close at once. */
const closeAtOnce: RequestListener = (_req, res) => {
  const body = JSON.stringify({ error: 'request_too_large', message: 'Request body exceeds 1048576 bytes', details: [], request_id: 'x' });
  res.writeHead(413, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  res.end(body);
};

async function targets(core: Core): Promise<Array<[string, RequestListener | Server]>> {
  const koa = new Koa();
  koa.use(createKoaRouter(core).routes());
  const fastify = Fastify();
  await fastify.register(corePlugin, { core });
  await fastify.ready();
  return [
    ['reference (close at once)', closeAtOnce],
    ['express', express().use(createExpressRouter(core))],
    ['koa', koa.callback()],
    ['fastify', fastify.server],
  ];
}

async function listen(host: RequestListener | Server): Promise<Server> {
  const server = typeof host === 'function' ? createServer(host) : host;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function main(): Promise<void> {
  console.log(`${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${availableParallelism()} cores, Node ${process.version}, loopback`);
  const logger = createConsoleLogger({ level: 'warn' });
  const core = await createCore({ environment: 'test', database: { url: 'sqlite::memory:' }, migrate: true, limiterEnabled: false, logger });
  const answered = new Map<string, string[]>();
  const names: string[] = [];
  try {
    for (const [name, host] of await targets(core)) {
      names.push(name);
      const server = await listen(host);
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/auth/register`;
      const cells: string[] = [];
      for (const size of SIZES) {
        let count = 0;
        for (let i = 0; i < clients; i += 1) {
          const res = await sendThenRead(url, {}, size * MiB, { chunked: i % 2 === 1 }).catch(() => undefined);
          if (res?.status === 413 && res.body.includes('"request_too_large"')) count += 1;
        }
        cells.push(`${count} / ${clients}`);
      }
      answered.set(name, cells);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  } finally {
    await core.close();
  }
  // Half the clients send Content-Length, half chunked; the body limit is 1 MiB, so the
  // drain stops at 10 MiB and a client sending 16 MiB before reading may be cut, by design.
  printTable(
    ['body sent before reading', ...names],
    SIZES.map((size, index) => [`${size} MiB`, ...names.map((name) => answered.get(name)![index]!)]),
  );
}

await main();
