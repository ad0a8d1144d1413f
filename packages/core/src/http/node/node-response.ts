import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CLIENT_CLOSED_STATUS } from '../pipeline';
import type { HttpResponse } from '../types';

/** Options of {@link writeNodeResponse}. */
export interface NodeWriteOptions {
  /**
   * Largest request body (`core.http.bodyLimitBytes`): after an answer that closes the
   * connection (413, 504), at most 10 × this much of the unread body is drained. Default 1 MiB.
   */
  bodyLimitBytes?: number;
  /** Longest drain before the connection is cut anyway; default 5000 ms. */
  lingerMs?: number;
  /**
   * Told when a streamed body (an export) fails after its headers were sent, so the
   * response can only be cut short. A client that hangs up is not an error and is not reported.
   */
  onStreamError?: (error: Error) => void;
}

const DEFAULT_LIMIT = 1_048_576;

/**
 * Writes the core's plain response onto Node's response, bypassing the framework's own
 * serialisers (no ETag, no JSON settings of the host): JSON and text with their length, an
 * empty body, or a stream with backpressure that stops reading its source when the client
 * goes away.
 *
 * An answer that closes the connection while the client may still be sending (413, 504)
 * lingers: the answer is written at once, the rest of the body is read and discarded (up to
 * 5 s or 10 × the body limit), and only then does the response end and the connection
 * close, so the client reads the answer instead of a reset (docs/decisions.md).
 */
export async function writeNodeResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: HttpResponse,
  options: NodeWriteOptions = {},
): Promise<void> {
  if (response.status === CLIENT_CLOSED_STATUS) {
    // Nobody is listening; the status is kept for the host's request log.
    res.statusCode = CLIENT_CLOSED_STATUS;
    if (!res.destroyed) res.destroy();
    return;
  }
  if (res.headersSent || res.destroyed) return;
  res.statusCode = response.status;
  const { headers, body } = response;
  for (const name in headers) res.setHeader(name, headers[name]!);
  if (body.kind === 'stream') return writeStream(res, body.chunks, options.onStreamError);
  const text = body.kind === 'json' ? (JSON.stringify(body.value) ?? 'null') : body.kind === 'text' ? body.value : '';
  if (body.kind !== 'empty' && !res.hasHeader('content-type')) {
    res.setHeader('content-type', body.kind === 'json' ? 'application/json' : 'text/plain; charset=utf-8');
  }
  if (body.kind !== 'empty' || (response.status !== 204 && response.status !== 304)) res.setHeader('content-length', Buffer.byteLength(text));
  const connection = res.getHeader('connection');
  const closing = connection !== undefined && /^close$/i.test(String(connection));
  if (!closing || req.complete) {
    res.end(text);
    return;
  }
  res.write(text);
  await linger(req, res, (options.bodyLimitBytes ?? DEFAULT_LIMIT) * 10, options.lingerMs ?? 5000);
}

async function writeStream(res: ServerResponse, chunks: AsyncIterable<string | Buffer>, onError?: (error: Error) => void) {
  try {
    // pipeline() waits on backpressure and, if the client goes away, ends the source
    // iterator so the export stops reading the database.
    await pipeline(Readable.from(chunks), res);
  } catch (error) {
    const premature = (error as NodeJS.ErrnoException | undefined)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
    if (!res.writableFinished && !premature) onError?.(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * Reads and discards the rest of the request body, then ends the response (Node closes the
 * connection, as the answer said). Past `maxBytes` or `maxMs` the connection is cut.
 */
function linger(req: IncomingMessage, res: ServerResponse, maxBytes: number, maxMs: number): Promise<void> {
  return new Promise((resolve) => {
    let drained = 0;
    const finish = (cut: boolean) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onEnd);
      req.off('error', onEnd);
      res.end(() => {
        if (cut) req.socket?.destroy();
      });
      resolve();
    };
    const onData = (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > maxBytes) finish(true);
    };
    const onEnd = () => finish(false);
    const timer = setTimeout(() => finish(true), maxMs);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onEnd);
    req.once('error', onEnd);
    req.resume();
  });
}
