import type { IncomingMessage, RequestListener } from 'node:http';
import { pino, type Logger } from 'pino';


/** The server's structured logger: one JSON object per line on stdout, ISO-8601 times. */
export function createLogger(): Logger {
  return pino({
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}



/**
 * The `sub` claim of the bearer token, decoded but NOT verified. It only labels the log
 * line; the core verifies every token itself and this value is never used to decide anything.
 */
export function unverifiedUserId(request: IncomingMessage): number | null {
  const match = /^bearer\s+[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+$/i.exec(request.headers.authorization ?? '');
  if (!match) return null;
  try {
    const payload: unknown = JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8'));
    const sub = (payload as { sub?: unknown } | null)?.sub;
    return typeof sub === 'string' && /^[1-9][0-9]{0,15}$/.test(sub) ? Number(sub) : null;
  } catch {
    return null;
  }
}

/**
 * Wraps a request listener so that every request ends with one log line: method, path
 * (never the query string, which may hold search terms), status, duration in ms, the
 * request id the API answered with, and the user id. The user id is null when there is no
 * bearer token or when the API answered 401 (it refused the token), so a forged token on a
 * failed request does not put a false name in the log.
 */
export function withRequestLog(listener: RequestListener, log: Logger): RequestListener {
  return (request, response) => {
    const started = process.hrtime.bigint();
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').split('?')[0];
    response.once('close', () => {
      const status = response.statusCode;
      const requestId = response.getHeader('x-request-id');
      log.info(
        {
          method,
          path,
          status,
          duration_ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
          request_id: typeof requestId === 'string' ? requestId : null,
          user_id: status === 401 ? null : unverifiedUserId(request),
          ...(response.writableFinished ? {} : { aborted: true }),
        },
        'request',
      );
    });
    listener(request, response);
  };
}
