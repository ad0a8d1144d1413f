import { BaseError, ConnectionError, ForeignKeyConstraintError, TimeoutError, UniqueConstraintError } from 'sequelize';
import { AppError, isAppError } from '../errors/app-error';

/** Driver codes meaning "the database is not reachable right now" (network, PostgreSQL, SQLite). */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
]);
// PostgreSQL SQLSTATE classes: 08 connection exception, 53 insufficient resources,
// 57P0x server shutting down or cannot connect now.
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0)/;
// PostgreSQL data exceptions a client's value causes: 22001 string_data_right_truncation (a
// value longer than its column; SQLite does not enforce VARCHAR lengths) and 22021
// character_not_in_repertoire (a NUL byte). Client errors, not 500s.
const BAD_VALUE_SQLSTATES: Record<string, string> = {
  '22001': 'A value is longer than its column allows',
  '22021': 'A value contains a character that cannot be stored',
};
const UNAVAILABLE_MESSAGE = /connection terminated|connection manager was closed|connection is closed|timeout exceeded when trying to connect/i;

/**
 * Turns a driver or Sequelize error into the error a client may see (docs/reference/errors.md):
 * a unique violation becomes 409 naming the field (so a race past the service's own checks
 * is still a conflict, never a 500); a foreign-key violation (a session opened for a user
 * deleted a moment before) is a 409 too; an unreachable or overloaded database becomes 503.
 * The driver's text never reaches the message; it stays on `cause` for the server's logs.
 * AppErrors and anything unrecognised are returned unchanged (the HTTP layer turns the
 * latter into a 500 without details).
 */
export function translateDatabaseError(error: unknown): unknown {
  if (isAppError(error)) return error;
  if (error instanceof UniqueConstraintError) return conflictFor(error);
  if (error instanceof ForeignKeyConstraintError) {
    return new AppError('conflict_error', 'The referenced record no longer exists', { cause: error });
  }
  const badValue = BAD_VALUE_SQLSTATES[String(sqlState(error))];
  if (badValue) return new AppError('validation_error', badValue, { cause: error });
  if (isUnavailable(error)) {
    return new AppError('service_unavailable', 'Service temporarily unavailable', { cause: error });
  }
  return error;
}

function conflictFor(error: UniqueConstraintError): AppError {
  const parent = error.parent as (Error & { constraint?: string; code?: string }) | undefined;
  // Only names are inspected, never values: PostgreSQL's detail text quotes the
  // duplicate value, which could itself contain "email".
  const names = [parent?.constraint ?? '', ...fieldNames(error.fields)];
  if (parent?.code?.startsWith('SQLITE_')) names.push(parent.message); // "UNIQUE constraint failed: users.email"
  const haystack = names.join(' ').toLowerCase();
  const options = { cause: error };
  if (haystack.includes('email')) return new AppError('conflict_error', 'Email already registered', options);
  if (haystack.includes('username')) return new AppError('conflict_error', 'Username already taken', options);
  return new AppError('conflict_error', 'Resource already exists', options);
}

function fieldNames(fields: unknown): string[] {
  if (Array.isArray(fields)) return fields.filter((field): field is string => typeof field === 'string');
  if (fields && typeof fields === 'object') return Object.keys(fields);
  return [];
}

function isUnavailable(error: unknown): boolean {
  if (error instanceof ConnectionError || error instanceof TimeoutError) return true;
  if (!(error instanceof Error)) return false;
  const original = (error instanceof BaseError ? (error as BaseError & { parent?: unknown }).parent : undefined) ?? error;
  const code = (original as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  return UNAVAILABLE_MESSAGE.test(error.message);
}

function sqlState(error: unknown): unknown {
  const parent = error instanceof BaseError ? (error as BaseError & { parent?: { code?: unknown } }).parent : undefined;
  return parent?.code;
}
