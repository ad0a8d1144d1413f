import { parse as parseQuery } from 'node:querystring';
import { Readable } from 'node:stream';
import type { Context } from 'koa';
import type { HttpRequest } from '@app/core';

/** Builds the core's plain request from a Koa context. */
export function toHttpRequest(ctx: Context, params: Record<string, string>): HttpRequest {
  return {
    method: ctx.method.toUpperCase(),
    path: ctx.path,
    params: { ...params },
    // Parsed from the raw query string so every adapter hands the core the same shapes.
    query: parseQuery(ctx.querystring),
    headers: ctx.headers,
    // Koa's notion of the client: with `app.proxy = true` it reads X-Forwarded-For.
    ip: ctx.ip || undefined,
    protocol: ctx.protocol === 'https' ? 'https' : 'http',
    body: toBody(ctx),
  };
}

/**
 * A body exists when the headers announce one (a length, chunks, or a media type). Whether a host parser already ran is read
 * from the stream (`readableDidRead`), not from `ctx.request.body`: koa-bodyparser sets `{}`
 * for a media type it does not handle without reading it, and the core must then see the
 * raw stream to answer 415.
 */
function toBody(ctx: Context): HttpRequest['body'] {
  const { req } = ctx;
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  // An empty body that still declares a media type goes to the core, which answers 400
  // `invalid_json` (or 415) for it; with no media type either, there is no body at all.
  if (!hasBody) return req.headers['content-type'] === undefined ? { kind: 'none' } : { kind: 'stream', stream: req };
  if (!req.readableDidRead) return { kind: 'stream', stream: req };
  const parsed = (ctx.request as { body?: unknown }).body;
  // A raw or text parser leaves bytes or text: let the core parse and check them.
  if (Buffer.isBuffer(parsed) || typeof parsed === 'string') return { kind: 'stream', stream: Readable.from([Buffer.from(parsed)]) };
  return { kind: 'parsed', value: parsed };
}
