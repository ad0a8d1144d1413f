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
 * Reads the stream up to `limit` bytes. Past the limit it stops listening and leaves the
 * rest unread (the host's server discards it) instead of destroying the socket, so the
 * client still receives its 413.
 */
function readLimited(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += buffer.length;
      if (received > limit) {
        cleanup();
        stream.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(buffer);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

/**
 * The JSON body of a body route, or `undefined` when the request has none. Checks the media
 * type (415), the declared length before reading (413), the streamed length while reading
 * (413) and the syntax (400 `invalid_json`). A body the host already parsed is taken as is.
 */
export async function readJsonBody(request: HttpRequest, limit: number): Promise<unknown> {
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
  const raw = await readLimited(body.stream, limit);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AppError('invalid_json', 'Request body is not valid JSON');
  }
}
