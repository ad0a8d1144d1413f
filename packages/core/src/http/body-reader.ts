import type { Readable } from 'node:stream';
import { AppError } from '../errors/app-error';
import type { HttpRequest } from './types';

/** A header's single value (the first of a repeated one). */
export function headerValue(headers: HttpRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `application/json`, with or without parameters such as `charset`. */
function isJsonMediaType(contentType: string): boolean {
  return contentType.split(';', 1)[0]!.trim().toLowerCase() === 'application/json';
}

const tooLarge = (limit: number) => new AppError('request_too_large', `Request body exceeds ${limit} bytes`);

/**
 * The client went away (hung up, or sent something its HTTP parser refused) while its body
 * was being read. Not an error of the server: the pipeline logs it as an info line.
 */
export class ClientGoneError extends Error {
  constructor(cause?: unknown) {
    super('The client closed the connection before its request body was read', { cause });
    this.name = 'ClientGoneError';
  }
}

/** How long and how far the body may be read. */
export interface BodyReadLimits {
  /** Most bytes; past it 413. */
  limit: number;
  /** Most milliseconds for the whole body; past it 504 (and the connection closes). */
  deadlineMs: number;
  /** Aborted by the request timeout or the client's hang-up: stop reading. */
  signal?: AbortSignal;
}

/**
 * Reads the stream up to `limit` bytes within `deadlineMs`. Past either it stops listening
 * and pauses the stream instead of destroying the socket: the Node kit then reads and
 * discards the rest while the answer (413, 504) is delivered (docs/decisions.md, "Lingering
 * close").
 */
function readLimited(stream: Readable, limits: BodyReadLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const timer = setTimeout(() => {
      stop(new AppError('request_timeout', `Request body was not received within ${(limits.deadlineMs / 1000).toFixed(1)}s`));
    }, limits.deadlineMs);
    const stop = (error?: unknown, body?: Buffer) => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onGone);
      stream.off('close', onClose);
      limits.signal?.removeEventListener('abort', onAbort);
      if (error === undefined) return resolve(body ?? Buffer.alloc(0));
      stream.pause();
      reject(error);
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += buffer.length;
      if (received > limits.limit) return stop(tooLarge(limits.limit));
      chunks.push(buffer);
    };
    const onEnd = () => stop(undefined, Buffer.concat(chunks));
    const onGone = (error?: unknown) => stop(new ClientGoneError(error));
    const onClose = () => onGone();
    const onAbort = () => stop(limits.signal?.reason ?? new ClientGoneError());
    if (limits.signal?.aborted) return onAbort();
    if (stream.readableEnded) return stop(undefined, Buffer.alloc(0));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onGone);
    stream.on('close', onClose);
    limits.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The JSON body of a body route, or `undefined` when the request has none. Checks the media
 * type (415), the declared length before reading (413), the streamed length while reading
 * (413) and the syntax (400 `invalid_json`). A body the host already parsed is taken as is.
 */
export async function readJsonBody(request: HttpRequest, limits: BodyReadLimits): Promise<unknown> {
  const { limit } = limits;
  const { body, headers } = request;
  if (body.kind === 'none') return undefined;
  const contentType = headerValue(headers, 'content-type');
  const contentLength = headerValue(headers, 'content-length');
  // An empty request without a media type is "no body" (a 422 later), not a wrong media type.
  if (contentType === undefined && (contentLength === '0' || (body.kind === 'parsed' && body.value === undefined))) {
    return undefined;
  }
  if (contentType === undefined || !isJsonMediaType(contentType)) {
    throw new AppError('unsupported_media_type', 'Content-Type must be application/json');
  }
  if (body.kind === 'parsed') return body.value;
  if (contentLength !== undefined && /^\d+$/.test(contentLength) && Number(contentLength) > limit) {
    throw tooLarge(limit);
  }
  const raw = await readLimited(body.stream, limits);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AppError('invalid_json', 'Request body is not valid JSON');
  }
}
