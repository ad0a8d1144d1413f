/**
 * The one error catalogue (docs/reference/errors.md). Every domain failure is an {@link AppError} carrying
 * one of these codes; the HTTP layer maps the code to its status with {@link ERROR_STATUS}
 * and never invents codes of its own.
 */
export const ERROR_STATUS = {
  validation_error: 422,
  invalid_json: 400,
  bad_request: 400,
  invalid_token: 400,
  authentication_error: 401,
  inactive_user: 403,
  email_not_verified: 403,
  authorization_error: 403,
  not_found_error: 404,
  method_not_allowed: 405,
  conflict_error: 409,
  request_too_large: 413,
  unsupported_media_type: 415,
  rate_limit_error: 429,
  internal_server_error: 500,
  service_unavailable: 503,
  request_timeout: 504,
} as const;

/** The closed union of error codes. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** One item of the envelope's `details` array. `field` is a dotted path (`body.2.password`). */
export interface ErrorDetail {
  type: string;
  message: string;
  field?: string;
}

export interface AppErrorOptions {
  details?: ErrorDetail[];
  /** Seconds until a rate-limited caller may retry (sent as `Retry-After`). */
  retryAfterSeconds?: number;
  /**
   * An `authentication_error` whose bearer access token was refused (expired, revoked, forged):
   * sent as `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3.1), the one sign that
   * a client may refresh and retry (docs/reference/errors.md).
   */
  invalidToken?: boolean;
  cause?: unknown;
}

/** A failure with a code of the catalogue, a human message and optional details. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];
  readonly retryAfterSeconds?: number;
  readonly invalidToken: boolean;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.invalidToken = options.invalidToken ?? false;
  }

  /** The HTTP status the code maps to. */
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** True for an {@link AppError}, including one thrown by another copy of this package. */
export function isAppError(error: unknown): error is AppError {
  return (
    error instanceof AppError ||
    (error instanceof Error && error.name === 'AppError' && typeof (error as AppError).code === 'string' && (error as AppError).code in ERROR_STATUS)
  );
}

export const validationError = (message: string, details: ErrorDetail[] = []) =>
  new AppError('validation_error', message, { details });
export const authenticationError = (message = 'Could not validate credentials') =>
  new AppError('authentication_error', message);
/** A bad, used or expired token from a mail (docs/reference/errors.md). */
export const invalidTokenError = (message = 'The token is invalid, used or expired') => new AppError('invalid_token', message);
export const emailNotVerifiedError = (message = 'Email address not verified') => new AppError('email_not_verified', message);
export const inactiveUserError = (message = 'User account is inactive') => new AppError('inactive_user', message);
export const authorizationError = (message = 'Not enough permissions') => new AppError('authorization_error', message);
export const notFoundError = (message = 'Resource not found') => new AppError('not_found_error', message);
export const conflictError = (message: string, details: ErrorDetail[] = []) =>
  new AppError('conflict_error', message, { details });
export const rateLimitError = (retryAfterSeconds: number, message = 'Too many requests') =>
  new AppError('rate_limit_error', message, { retryAfterSeconds });
export const timeoutError = (timeoutMs: number) =>
  new AppError('request_timeout', `Request exceeded ${(timeoutMs / 1000).toFixed(1)}s timeout`);
