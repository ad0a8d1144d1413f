import { z } from 'zod';
import type { CoreLogger } from '../config/options';
import { AppError, isAppError, type ErrorDetail } from '../errors/app-error';
import type { ErrorEnvelope } from '../schemas/error';
import type { HttpResponse } from './types';

const INTERNAL_MESSAGE = 'An unexpected error occurred';

/** Sequelize error names that mean the database cannot be reached (matched by name, no import). */
const UNAVAILABLE_ERRORS = new Set([
  'SequelizeConnectionError',
  'SequelizeConnectionRefusedError',
  'SequelizeConnectionTimedOutError',
  'SequelizeConnectionAcquireTimeoutError',
  'SequelizeHostNotFoundError',
  'SequelizeHostNotReachableError',
  'SequelizeAccessDeniedError',
  'SequelizeInvalidConnectionError',
]);

/** Zod issues as envelope details, their paths dotted and prefixed (`body.2.password`). */
export function zodIssuesToDetails(issues: readonly z.core.$ZodIssue[], location: string): ErrorDetail[] {
  return issues.map((issue) => ({
    type: issue.code,
    message: issue.message,
    field: [location, ...issue.path.map(String)].join('.'),
  }));
}

/**
 * Turns anything thrown into an {@link AppError}: AppErrors as they are; a ZodError (a
 * service validating a worker's input) as 422; a unique-constraint race as 409; an
 * unreachable database as 503; everything else as `internal_server_error`.
 */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (error instanceof z.ZodError) {
    return new AppError('validation_error', 'Request validation failed', {
      details: zodIssuesToDetails(error.issues, 'body'),
    });
  }
  const name = error instanceof Error ? error.name : '';
  if (name === 'SequelizeUniqueConstraintError') {
    return new AppError('conflict_error', 'Resource already exists', { cause: error });
  }
  if (UNAVAILABLE_ERRORS.has(name)) {
    return new AppError('service_unavailable', 'Service temporarily unavailable', { cause: error });
  }
  return new AppError('internal_server_error', INTERNAL_MESSAGE, { cause: error });
}

/** Extra headers an error code implies. */
function errorHeaders(error: AppError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (error.code === 'authentication_error') headers['WWW-Authenticate'] = 'Bearer';
  // Any error that knows when to come back says so: 429, and 503 from the hashing queue.
  if (error.retryAfterSeconds !== undefined || error.code === 'rate_limit_error') {
    headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds ?? 1)));
  }
  return headers;
}

/**
 * The one error envelope `{error, message, details, request_id}` for anything thrown.
 * Unexpected errors are logged with the request id and stack, and never sent.
 */
export function mapError(error: unknown, requestId: string, logger: CoreLogger): HttpResponse {
  const appError = toAppError(error);
  if (appError.code === 'internal_server_error' || appError.code === 'service_unavailable') {
    const cause = isAppError(error) ? (appError.cause ?? appError) : error;
    const text = cause instanceof Error ? (cause.stack ?? `${cause.name}: ${cause.message}`) : String(cause);
    logger.error(`[request ${requestId}] ${appError.code}: ${text}`);
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
