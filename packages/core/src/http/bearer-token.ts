import { AppError, authenticationError, isAppError } from '../errors/app-error';
import { headerValue } from './body-reader';
import type { HttpRequest } from './types';

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * The token of an `Authorization: Bearer <token>` header (scheme case-insensitive);
 * undefined without the header. Read by the pipeline and by `GET /metrics`.
 *
 * @throws AppError `authentication_error` for a header of another form.
 */
export function bearerToken(headers: HttpRequest['headers'] | undefined): string | undefined {
  const header = headerValue(headers ?? {}, 'authorization');
  if (header === undefined) return undefined;
  const match = BEARER.exec(header);
  if (!match) throw authenticationError('Invalid authorization header; expected Bearer token');
  return match[1]!;
}

/**
 * Rethrows a refusal of the presented access token as `invalid_token` (sent as
 * `WWW-Authenticate: Bearer error="invalid_token"`); any other error as it is.
 */
export function refusedToken(error: unknown): never {
  if (isAppError(error) && error.code === 'authentication_error' && !error.invalidToken) {
    throw new AppError('authentication_error', error.message, { invalidToken: true, cause: error });
  }
  throw error;
}
