import { z } from 'zod';
import { createPasswordSchema, emailSchema, passwordCheckSchema, textSchema } from './fields';

/**
 * The bodies of the account routes (docs/reference/routes.md "Account"), built per core
 * because the new-password rule takes the core's `PASSWORD_MIN_LENGTH`. As with the user's
 * schemas, the route parses with these and the AccountService enforces the same ones.
 */
export interface AccountSchemas {
  /** `{email}` of `POST /auth/password-reset/request`. */
  readonly passwordResetRequest: z.ZodType<{ email: string }>;
  /** `{token, new_password}` of `POST /auth/password-reset/confirm`. */
  readonly passwordResetConfirm: z.ZodType<{ token: string; new_password: string }>;
  /** `{token}` of `POST /auth/verify-email/confirm`. */
  readonly verifyEmailConfirm: z.ZodType<{ token: string }>;
  /** `{current_password, new_password}` of `POST /auth/change-password`. */
  readonly changePassword: z.ZodType<{ current_password: string; new_password: string }>;
}

/** A token from a mail: what the link carried, trimmed; its validity is the service's to decide. */
const tokenSchema = textSchema.trim().min(1, 'is required').max(256, 'must be at most 256 characters');

/** Builds the account schemas for a core whose shortest password is `passwordMinLength`. */
export function createAccountSchemas(passwordMinLength?: number): AccountSchemas {
  const newPassword = createPasswordSchema(passwordMinLength);
  return {
    passwordResetRequest: z.object({ email: emailSchema }),
    passwordResetConfirm: z.object({ token: tokenSchema, new_password: newPassword }),
    verifyEmailConfirm: z.object({ token: tokenSchema }),
    changePassword: z.object({ current_password: passwordCheckSchema, new_password: newPassword }),
  };
}

/** `{message}`: the 202 body of the request routes. */
export const messageResponseSchema = z.object({ message: z.string() });

/** Inversify token of the core's {@link AccountSchemas}. */
export const ACCOUNT_SCHEMAS = Symbol.for('app.AccountSchemas');
