import { randomUUID } from 'node:crypto';

const VALID_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * The effective request id: the incoming `X-Request-ID` when it is 1–128 characters of
 * `[A-Za-z0-9._-]`, else a new UUID v4. Anything else is replaced rather than cleaned, so a
 * caller can never inject header or log syntax through it.
 */
export function resolveRequestId(headers: Record<string, string | string[] | undefined>): string {
  const incoming = headers['x-request-id'];
  return typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
