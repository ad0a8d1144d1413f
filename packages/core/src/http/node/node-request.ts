import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { Readable } from 'node:stream';
import type { HttpRequest } from '../types';

/** What the framework knows about a request that Node's `IncomingMessage` does not. */
export interface NodeRequestView {
  /**
   * The request target relative to where the host mounted the API, query string included
   * (Express `req.url` inside a router). Default: `req.url`.
   */
  url?: string;
  /** Where the host mounted the API (`/auth`; Express `req.baseUrl`); default the root. */
  mountPath?: string;
  /** The client IP after the host's trust-proxy setting (`req.ip`, `ctx.ip`, `request.ip`). */
  ip?: string;
  /** `https` when the framework says the request came over TLS (its trust-proxy setting applies). */
  protocol?: 'http' | 'https';
  /**
   * The body a host parser left (`req.body`, `ctx.request.body`). Used only when the stream
   * was actually read: some parsers set `{}` for a media type they skip, and the core must
   * then read the raw stream itself to answer 415.
   */
  parsedBody?: unknown;
}

/**
 * Builds the core's plain request from Node's request and what the framework knows. The
 * returned `signal` aborts when the response closes before it finished (the client went
 * away), so the pipeline stops the request's database and hashing work. It is made on first
 * read, already aborted if the client has left by then: a request whose work never asks for
 * it (a cached read) makes no `AbortController`.
 */
export function toHttpRequest(req: IncomingMessage, res: ServerResponse, view: NodeRequestView = {}): HttpRequest {
  const url = view.url ?? req.url ?? '/';
  const queryAt = url.indexOf('?');
  let controller: AbortController | undefined;
  let gone = false;
  const goneError = () => new Error('the client closed the connection');
  res.once('close', () => {
    if (res.writableFinished) return;
    gone = true;
    controller?.abort(goneError());
  });
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: (queryAt === -1 ? url : url.slice(0, queryAt)) || '/',
    mountPath: view.mountPath ?? '',
    // Parsed here rather than taken from the framework so its query settings (Express's
    // 'extended' nested objects) cannot change what the core validates.
    query: queryAt === -1 ? {} : parseQuery(url.slice(queryAt + 1)),
    headers: req.headers,
    ip: view.ip || undefined,
    protocol: view.protocol === 'https' ? 'https' : 'http',
    body: toBody(req, view.parsedBody),
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (gone) controller.abort(goneError());
      }
      return controller.signal;
    },
  };
}

/**
 * A body exists when the headers announce one (a length or chunks); a request with only a
 * media type goes to the core too, which answers 400 `invalid_json` (or 415) for it.
 */
function toBody(req: IncomingMessage, parsed: unknown): HttpRequest['body'] {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (!hasBody) return req.headers['content-type'] === undefined ? { kind: 'none' } : { kind: 'stream', stream: req };
  if (!req.readableDidRead) return { kind: 'stream', stream: req };
  // A raw or text parser leaves bytes or text: let the core parse and check them.
  if (Buffer.isBuffer(parsed) || typeof parsed === 'string') return { kind: 'stream', stream: Readable.from([Buffer.from(parsed)]) };
  return { kind: 'parsed', value: parsed };
}
