import { z } from 'zod';

/**
 * Field schemas shared by the wire schemas (HTTP bodies, CSV rows) and by the services, so
 * a worker calling a service directly meets the same rules as an HTTP client.
 */

/**
 * A string without NUL characters. PostgreSQL cannot store U+0000 in text and SQLite
 * truncates at it, so it is refused at the door (422) rather than failing in the driver.
 */
export const textSchema = z.string().refine((value) => !value.includes('\u0000'), { message: 'must not contain NUL characters' });

/** Trimmed, lower-cased, a valid address, at most 255 characters. */
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'must be a valid email address' }).max(255, 'must be at most 255 characters'));

/** 3–50 characters of letters, digits, `_` and `-`; stored as typed. */
export const usernameSchema = z
  .string()
  .min(3, 'must be at least 3 characters')
  .max(50, 'must be at most 50 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, _ and -');

/** bcrypt reads only 72 bytes: a longer password is refused, never silently truncated. */
export const BCRYPT_MAX_BYTES = 72;

/** 8–100 characters and at most 72 UTF-8 bytes. */
export const passwordSchema = textSchema
  .min(8, 'must be at least 8 characters')
  .max(100, 'must be at most 100 characters')
  .refine((password) => Buffer.byteLength(password, 'utf8') <= BCRYPT_MAX_BYTES, {
    message: `must be at most ${BCRYPT_MAX_BYTES} bytes in UTF-8`,
  });

/** At most 100 characters; `null` clears it. */
export const fullNameSchema = textSchema.max(100, 'must be at most 100 characters').nullable();

/** Query-string boolean: true/false/1/0, case-insensitive. */
export const queryBooleanSchema = z
  .string()
  .regex(/^(true|false|1|0)$/i, 'must be true, false, 1 or 0')
  .transform((value) => /^(true|1)$/i.test(value));

/** A positive integer id in a path segment. */
export const idParamSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'must be a positive integer')
  .transform(Number)
  .pipe(z.number().int().max(2_147_483_647, 'must be a positive integer'));
