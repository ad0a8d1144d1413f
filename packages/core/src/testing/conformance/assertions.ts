import type { UserField } from '../../domain/user-fields';
import { expect } from 'chai';
import type { Response } from 'supertest';
import type { ErrorCode, ErrorDetail } from '../../errors/app-error';

/** The error envelope (docs/reference/errors.md) as a client reads it. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  details: ErrorDetail[];
  request_id: string;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** Security headers on every response (docs/reference/routes.md), success or error. */
export function expectSecurityHeaders(res: Response): void {
  expect(res.headers['x-content-type-options'], 'X-Content-Type-Options').to.equal('nosniff');
  expect(res.headers['x-frame-options'], 'X-Frame-Options').to.equal('DENY');
  expect(res.headers['referrer-policy'], 'Referrer-Policy').to.equal('no-referrer');
  expect(res.headers['x-request-id'], 'X-Request-ID').to.be.a('string').and.not.equal('');
}

/**
 * Asserts an error envelope with this status and code, whose `request_id` is the response's
 * `X-Request-ID`, carrying the security headers. Returns the body for further checks.
 */
export function expectError(res: Response, status: number, code: ErrorCode): ErrorBody {
  expect(res.status, `status (body: ${JSON.stringify(res.body)})`).to.equal(status);
  expect(res.headers['content-type'], 'content-type').to.match(/^application\/json/);
  const body = res.body as ErrorBody;
  expect(body.error, 'error code').to.equal(code);
  expect(body.message, 'message').to.be.a('string').and.not.equal('');
  expect(body.details, 'details').to.be.an('array');
  expect(body.request_id, 'request_id').to.equal(res.headers['x-request-id']);
  expectSecurityHeaders(res);
  if (status === 401) expect(res.headers['www-authenticate'], 'WWW-Authenticate').to.match(/^Bearer/);
  if (status === 429) expect(Number(res.headers['retry-after']), 'Retry-After').to.be.greaterThan(0);
  return body;
}

/** Asserts a 422 whose details name every one of `fields` (e.g. `body.email`). */
export function expectValidation(res: Response, fields: string[]): ErrorBody {
  const body = expectError(res, 422, 'validation_error');
  const named = body.details.map((detail) => detail.field);
  for (const field of fields) expect(named, `details naming ${field}`).to.include(field);
  return body;
}

const JSON_TYPES: Record<UserField['type'], string> = {
  string: 'string',
  text: 'string',
  integer: 'number',
  boolean: 'boolean',
  datetime: 'string',
};

/**
 * A user as the core's field registry describes it: exactly `fields` (the registry's
 * `visible` ones for a `User` body, `exported` for an export; never a password or a hash),
 * each of its type, null only where the field is nullable, times as ISO-8601 UTC.
 */
export function expectUserJson(value: unknown, fields: readonly UserField[]): asserts value is UserBody {
  expect(value).to.be.an('object');
  const user = value as Record<string, unknown>;
  expect(Object.keys(user).sort()).to.deep.equal(fields.map((field) => field.name).sort());
  for (const field of fields) {
    const fieldValue = user[field.name];
    if (fieldValue === null) {
      expect(field.nullable, `${field.name} is null but not nullable`).to.equal(true);
      continue;
    }
    expect(typeof fieldValue, field.name).to.equal(JSON_TYPES[field.type]);
    if (field.type === 'datetime') expect(fieldValue, field.name).to.match(ISO_UTC);
  }
}

/** Asserts an ISO-8601 UTC timestamp with `Z`. */
export function expectIsoUtc(value: unknown, label = 'timestamp'): void {
  expect(value, label).to.be.a('string').and.match(ISO_UTC);
}

/** The `User` body as the suite reads it. */
export interface UserBody {
  id: number;
  email: string;
  username: string;
  full_name: string | null;
  is_active: boolean;
  is_superuser: boolean;
  email_verified: boolean;
  created_at: string;
  updated_at: string;
}

/** The `Page<User>` body. */
export interface PageBody {
  items: UserBody[];
  total: number;
  page: number;
  size: number;
  pages: number;
}

/** Asserts a successful JSON response with this status and returns its body. */
export function expectJson<T>(res: Response, status: number): T {
  expect(res.status, `status (body: ${JSON.stringify(res.body)})`).to.equal(status);
  expect(res.headers['content-type'], 'content-type').to.match(/^application\/json/);
  expectSecurityHeaders(res);
  return res.body as T;
}
