import { parse as parseQuery } from 'node:querystring';
import { Readable } from 'node:stream';
import type { Request } from 'express';
import type { HttpRequest } from '@app/core';

/**
 * Builds the core's plain request from an Express request. `path` is the path the core's
 * routes are written in (relative to wherever the host mounted the router).
 */
export function toHttpRequest(req: Request, path: string): HttpRequest {
  const rawQuery = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
  return {
    method: req.method.toUpperCase(),
    path,
    params: { ...(req.params as Record<string, string>) },
    // Parsed here rather than read from req.query so the host's `query parser` setting
    // (e.g. 'extended' nested objects) cannot change what the core validates.
    query: parseQuery(rawQuery),
    headers: req.headers,
    ip: req.ip || undefined,
    protocol: req.secure || req.protocol === 'https' ? 'https' : 'http',
    body: toBody(req),
  };
}

/**
 * A body exists when the headers announce one (a length, chunks, or a media type). Whether a host parser already ran is read
 * from the stream itself (`readableDidRead`), not from `req.body`: some parsers set `{}`
 * without reading a body of a type they do not handle, and the core must then see the raw
 * stream to answer 415.
 */
function toBody(req: Request): HttpRequest['body'] {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  // An empty body that still declares a media type goes to the core, which answers 400
  // `invalid_json` (or 415) for it; with no media type either, there is no body at all.
  if (!hasBody) return req.headers['content-type'] === undefined ? { kind: 'none' } : { kind: 'stream', stream: req };
  if (!req.readableDidRead) return { kind: 'stream', stream: req };
  const parsed: unknown = req.body;
  // express.raw() / express.text() leave bytes or text: let the core parse and check them.
  if (Buffer.isBuffer(parsed) || typeof parsed === 'string') return { kind: 'stream', stream: Readable.from([Buffer.from(parsed)]) };
  return { kind: 'parsed', value: parsed };
}
