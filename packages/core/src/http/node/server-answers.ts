import { STATUS_CODES, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_STATUS, type ErrorCode } from '../../errors/app-error';
import { resolveRequestId } from '../request-id';
import { securityHeaders } from '../security-headers';
import type { HttpResponse } from '../types';

/** Options of {@link errorResponse}. */
export interface ErrorResponseOptions {
  /** The request's headers: an acceptable `X-Request-ID` is echoed, else a new id is made. */
  headers?: IncomingHttpHeaders;
  /** Human text; defaults to the code's standard message. */
  message?: string;
  /** The request came over HTTPS (adds HSTS). */
  https?: boolean;
}

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  not_found_error: 'Route not found',
  bad_request: 'Malformed HTTP request',
  request_too_large: 'Request headers are too large',
  request_timeout: 'Request headers were not received in time',
};

/**
 * An answer the host server gives itself (its own 404 outside the API, a parser error) in
 * the API's envelope, with a request id and the security headers, for `writeNodeResponse`.
 *
 * @example
 * app.use((req, res) => void writeNodeResponse(req, res, errorResponse('not_found_error', { headers: req.headers })));
 */
export function errorResponse(code: ErrorCode, options: ErrorResponseOptions = {}): HttpResponse {
  const requestId = resolveRequestId(options.headers ?? {});
  const value = { error: code, message: options.message ?? MESSAGES[code] ?? code, details: [], request_id: requestId };
  return {
    status: ERROR_STATUS[code],
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      ...securityHeaders({ https: options.https ?? false }),
      'X-Request-ID': requestId,
    },
    body: { kind: 'json', value },
  };
}

/** Node's parser error codes and the envelope code each gets. */
function codeFor(error: NodeJS.ErrnoException): ErrorCode {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'request_too_large';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || error.code === 'HPE_HEADERS_TIMEOUT') return 'request_timeout';
  return 'bad_request';
}

/**
 * A `clientError` listener for the host's `http.Server`: Node's parser refused the request
 * (a bad chunk size, an oversized or invalid header, a request not received in time), so no
 * route ran. Answers in the envelope with a request id and the security headers, then closes
 * the connection; a client that already hung up is let go silently.
 *
 * @example
 * server.on('clientError', handleClientError);
 */
export function handleClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A response of this socket already on the wire cannot be followed by another one.
  const inflight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inflight?.headersSent) {
    socket.destroy();
    return;
  }
  const response = errorResponse(codeFor(error), { headers: inflight?.req?.headers });
  const text = JSON.stringify(response.body.kind === 'json' ? response.body.value : null);
  const headers = { ...response.headers, 'Content-Length': String(Buffer.byteLength(text)), Connection: 'close' };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status]}\r\n${head}\r\n${text}`);
  // The client may still be sending: let it read the answer, but not hold the socket.
  setTimeout(() => socket.destroy(), 5000).unref();
}
