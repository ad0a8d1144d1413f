import { z } from 'zod';
import { isCommonPassword, SHORTEST_LISTED } from './common-passwords';

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
  .pipe(z.email({ message: 'must be a valid email address' }).max(255, 'must be at most 255 characters'))
  .meta({ format: 'email', maxLength: 255 });

/** 3–50 characters of letters, digits, `_` and `-`; stored as typed. */
export const usernameSchema = z
  .string()
  .min(3, 'must be at least 3 characters')
  .max(50, 'must be at most 50 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, _ and -');

/** The default and the bounds of the shortest password (`PASSWORD_MIN_LENGTH`). */
export const PASSWORD_MIN_LENGTH = { default: 8, min: SHORTEST_LISTED, max: 128 } as const;
/** The longest password, in characters (Unicode code points). */
export const PASSWORD_MAX_LENGTH = 128;

/** The message of a password found on the shipped list (docs/reference/errors.md). */
export const COMMON_PASSWORD_MESSAGE = 'is too common: it appears in a list of common or breached passwords';

/**
 * THE rule for every new password, wherever it enters (register, admin create, bulk,
 * update, import, reset confirm, change-password; docs/reference/routes.md "Passwords"):
 * normalised to NFC, then `minLength`–128 characters counted as Unicode code points (any
 * character allowed but NUL), and not on the shipped list of common and breached passwords.
 * The output is the NFC form, which is what gets hashed; the hasher reads every byte of it
 * (docs/guides/security.md "Passwords").
 */
export function createPasswordSchema(minLength: number = PASSWORD_MIN_LENGTH.default) {
  return (
    textSchema
      .transform((password) => password.normalize('NFC'))
      .superRefine((password, ctx) => {
        const length = [...password].length;
        if (length < minLength) ctx.addIssue({ code: 'custom', message: `must be at least ${minLength} characters` });
        else if (length > PASSWORD_MAX_LENGTH) ctx.addIssue({ code: 'custom', message: `must be at most ${PASSWORD_MAX_LENGTH} characters` });
        else if (isCommonPassword(password)) ctx.addIssue({ code: 'custom', message: COMMON_PASSWORD_MESSAGE });
      })
      // The rule in the OpenAPI document, where a refinement cannot show: forms read it.
      .meta({ format: 'password', minLength, maxLength: PASSWORD_MAX_LENGTH, description: `${minLength}–${PASSWORD_MAX_LENGTH} characters; not a common password` })
  );
}

/** {@link createPasswordSchema} with the default minimum length. */
export const passwordSchema = createPasswordSchema();

/**
 * A password being checked rather than set (login, `current_password`): NFC, like the
 * password that was hashed, and at most 1024 characters so nobody hashes a megabyte.
 */
export const passwordCheckSchema = textSchema
  .min(1, 'is required')
  .max(1024, 'must be at most 1024 characters')
  .transform((password) => password.normalize('NFC'))
  .meta({ format: 'password' });

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
