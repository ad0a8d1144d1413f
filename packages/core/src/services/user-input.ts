import type { z } from 'zod';
import { validationError, type ErrorDetail } from '../errors/app-error';
import { emailSchema, fullNameSchema, passwordSchema, usernameSchema } from '../schemas/fields';

/** What a caller gives to create a user (register, admin create, bulk items, workers). */
export interface NewUserInput {
  email: string;
  username: string;
  password: string;
  fullName?: string | null;
}

/** What a user update may carry; absent keys are left alone and `fullName: null` clears. */
export interface UserUpdateInput {
  email?: string;
  username?: string;
  fullName?: string | null;
  password?: string;
  isActive?: boolean;
  isSuperuser?: boolean;
}

/** A {@link NewUserInput} after validation: email trimmed and lower-cased, fullName defined. */
export interface ValidNewUser {
  email: string;
  username: string;
  password: string;
  fullName: string | null;
}

/** The message of every validation error thrown by the services. */
export const VALIDATION_MESSAGE = 'Validation failed';

type FieldSchema = z.ZodType<unknown>;

/**
 * Parses one field, pushing issues (field = `prefix` + key) into `issues`. Workers call the
 * services without the HTTP layer's schemas, so the same field rules are applied here.
 */
function parseField<T>(
  schema: FieldSchema,
  value: unknown,
  field: string,
  issues: ErrorDetail[],
): T | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data as T;
  for (const issue of result.error.issues) {
    issues.push({ type: issue.code, message: issue.message, field });
  }
  return undefined;
}

function asRecord(input: unknown): Record<string, unknown> | null {
  return typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : null;
}

/**
 * Validates and normalises one new-user input, collecting issues instead of throwing, so a
 * bulk call can report every item's problems at once. `prefix` is `''` or e.g. `'2.'`.
 */
export function collectNewUser(input: unknown, prefix: string, issues: ErrorDetail[]): ValidNewUser | undefined {
  const record = asRecord(input);
  if (!record) {
    issues.push({ type: 'invalid_type', message: 'must be an object', field: prefix.replace(/\.$/, '') || undefined });
    return undefined;
  }
  const before = issues.length;
  const email = parseField<string>(emailSchema, record.email, `${prefix}email`, issues);
  const username = parseField<string>(usernameSchema, record.username, `${prefix}username`, issues);
  const password = parseField<string>(passwordSchema, record.password, `${prefix}password`, issues);
  const fullName =
    record.fullName === undefined
      ? null
      : parseField<string | null>(fullNameSchema, record.fullName, `${prefix}fullName`, issues);
  if (issues.length > before) return undefined;
  return { email: email!, username: username!, password: password!, fullName: fullName ?? null };
}

/**
 * Validates one new-user input.
 *
 * @throws AppError `validation_error` listing every bad field (`email`, `password`, …).
 */
export function validateNewUser(input: unknown): ValidNewUser {
  const issues: ErrorDetail[] = [];
  const valid = collectNewUser(input, '', issues);
  if (!valid) throw validationError(VALIDATION_MESSAGE, issues);
  return valid;
}

/** Validates an optional boolean flag (`isActive`, `isSuperuser`). */
export function collectFlag(value: unknown, field: string, issues: ErrorDetail[]): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') {
    issues.push({ type: 'invalid_type', message: 'must be a boolean', field });
    return undefined;
  }
  return value;
}

/**
 * Validates an update: present keys must pass their field rule; explicit `null` is allowed
 * only on `fullName`. Absent keys stay absent in the result.
 *
 * @throws AppError `validation_error` listing every bad field.
 */
export function validateUpdate(input: unknown): UserUpdateInput {
  const record = asRecord(input);
  if (!record) throw validationError(VALIDATION_MESSAGE, [{ type: 'invalid_type', message: 'must be an object' }]);
  const issues: ErrorDetail[] = [];
  const out: UserUpdateInput = {};
  const fields: Array<[keyof UserUpdateInput, FieldSchema]> = [
    ['email', emailSchema],
    ['username', usernameSchema],
    ['password', passwordSchema],
    ['fullName', fullNameSchema],
  ];
  for (const [key, schema] of fields) {
    if (record[key] === undefined) continue;
    const value = parseField<never>(schema, record[key], key, issues);
    if (value !== undefined) out[key] = value;
  }
  const isActive = collectFlag(record.isActive, 'isActive', issues);
  const isSuperuser = collectFlag(record.isSuperuser, 'isSuperuser', issues);
  if (issues.length > 0) throw validationError(VALIDATION_MESSAGE, issues);
  if (isActive !== undefined) out.isActive = isActive;
  if (isSuperuser !== undefined) out.isSuperuser = isSuperuser;
  return out;
}
