import { translateDatabaseError } from '../database/database-errors';
import { AppError, isAppError } from '../errors/app-error';
import type { Logger } from '../logger/logger';
import type { ErrorEnvelope } from '../schemas/error';
import type { HttpResponse } from './types';

const INTERNAL_MESSAGE = 'An unexpected error occurred';

/**
 * Turns anything thrown into an {@link AppError}: AppErrors as they are; a database error
 * through the one translation of the data layer (a repository has usually done it already);
 * everything else as `internal_server_error`.
 */
export function toAppError(error: unknown): AppError {
  const translated = translateDatabaseError(error);
  if (isAppError(translated)) return translated;
  return new AppError('internal_server_error', INTERNAL_MESSAGE, { cause: error });
}

/** Extra headers an error code implies. */
function errorHeaders(error: AppError): Record<string, string> {
  const headers: Record<string, string> = {};
  // `error="invalid_token"` marks a refused access token: a client may refresh and retry. Any
  // other 401 (a wrong password) is final (docs/reference/errors.md).
  if (error.code === 'authentication_error') headers['WWW-Authenticate'] = error.invalidToken ? 'Bearer error="invalid_token"' : 'Bearer';
  // Any error that knows when to come back says so: 429, and 503 from the hashing queue.
  if (error.retryAfterSeconds !== undefined || error.code === 'rate_limit_error') {
    headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds ?? 1)));
  }
  return headers;
}

/** A 503 that says when to come back is load shedding, not a failure. */
function isShedding(error: AppError): boolean {
  return error.code === 'service_unavailable' && error.retryAfterSeconds !== undefined;
}

/**
 * The one error envelope `{error, message, details, request_id}` for anything thrown.
 * Unexpected errors are logged with the request id and stack, and never sent.
 */
export function mapError(error: unknown, requestId: string, logger: Logger): HttpResponse {
  const appError = toAppError(error);
  if (isShedding(appError)) {
    // Load shed on purpose (the hashing queue): one short line, no stack, so a flood cannot
    // fill the error log.
    logger.warn({ request_id: requestId, code: appError.code, retry_after_seconds: appError.retryAfterSeconds }, `request shed: ${appError.message}`);
  } else if (appError.code === 'internal_server_error' || appError.code === 'service_unavailable') {
    const cause = isAppError(error) ? (appError.cause ?? appError) : error;
    logger.error({ err: cause, request_id: requestId, code: appError.code }, `request failed: ${appError.code}`);
  }
  // An internal error built by hand may still carry internals in its message: never send it.
  const message = appError.code === 'internal_server_error' ? INTERNAL_MESSAGE : appError.message;
  const body: ErrorEnvelope = {
    error: appError.code,
    message,
    details: appError.code === 'internal_server_error' ? [] : appError.details,
    request_id: requestId,
  };
  return {
    status: appError.status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...errorHeaders(appError) },
    body: { kind: 'json', value: body },
  };
}

/**
 * A service names fields by its input's own keys (`2.email`, `full_name`), which for a body
 * route are the body's keys: they are located in the body (`body.2.email`), never renamed.
 */
export function locateBodyFields(error: unknown): unknown {
  if (!isAppError(error) || !error.details.some((detail) => detail.field !== undefined)) return error;
  const details = error.details.map((detail) =>
    detail.field === undefined || /^(body|query|path|header)(\.|$)/.test(detail.field) ? detail : { ...detail, field: `body.${detail.field}` },
  );
  return new AppError(error.code, error.message, { details, retryAfterSeconds: error.retryAfterSeconds, cause: error.cause });
}
