import { messageResponseSchema } from '../../schemas/account';
import { RESET_REQUESTED_MESSAGE, VERIFICATION_REQUESTED_MESSAGE } from '../../services/account-service';
import { defineRoute, type Route } from '../route';
import type { CoreRouteDeps } from './route-deps';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/**
 * The account routes under `/auth` (docs/reference/routes.md "Account"): password reset,
 * email verification and change-password. The limits here are per client; the reset
 * request is also limited per email address, in the AccountService.
 */
export function createAccountRoutes({ prefix, fields, schemas, account }: CoreRouteDeps): Route[] {
  const base = `${prefix}/auth`;
  return [
    defineRoute({
      id: 'auth.passwordReset.request',
      method: 'POST',
      path: `${base}/password-reset/request`,
      auth: 'none',
      rateLimit: { limit: 5, windowMs: HOUR },
      schemas: { body: account.passwordResetRequest, response: messageResponseSchema, successStatus: 202 },
      summary: 'Mail a password-reset link',
      description:
        'The same answer, in about the same time, whether or not the email belongs to an account; only an ' +
        'active account gets a mail. The link is valid 30 minutes and replaces older ones. Also limited to ' +
        '3 requests per email and hour.',
      tags: ['account'],
      handler: async ({ services, body }) => {
        await services.account.requestPasswordReset(body);
        return { body: { message: RESET_REQUESTED_MESSAGE } };
      },
    }),
    defineRoute({
      id: 'auth.passwordReset.confirm',
      method: 'POST',
      path: `${base}/password-reset/confirm`,
      auth: 'none',
      rateLimit: { limit: 10, windowMs: HOUR },
      schemas: { body: account.passwordResetConfirm, successStatus: 204 },
      summary: 'Set a new password with a reset token',
      description: 'Ends every session of the user and mails a notice. A bad, used or expired token is 400 invalid_token.',
      tags: ['account'],
      errors: ['invalid_token'],
      handler: async ({ services, body }) => {
        await services.account.confirmPasswordReset(body);
        return {};
      },
    }),
    defineRoute({
      id: 'auth.verifyEmail.request',
      method: 'POST',
      path: `${base}/verify-email/request`,
      auth: 'user',
      rateLimit: { limit: 5, windowMs: HOUR },
      schemas: { response: messageResponseSchema, successStatus: 202 },
      summary: 'Mail a fresh verification link for the current address',
      description: 'Older links stop working. Nothing is sent when the address is verified already. The link is valid 48 hours.',
      tags: ['account'],
      handler: async ({ services, auth }) => {
        await services.account.requestEmailVerification(auth);
        return { body: { message: VERIFICATION_REQUESTED_MESSAGE } };
      },
    }),
    defineRoute({
      id: 'auth.verifyEmail.confirm',
      method: 'POST',
      path: `${base}/verify-email/confirm`,
      auth: 'none',
      rateLimit: { limit: 10, windowMs: HOUR },
      schemas: { body: account.verifyEmailConfirm, response: schemas.response, successStatus: 200 },
      summary: 'Confirm an email address with a verification token',
      description: 'A bad, used or expired token, or one mailed to an address the account no longer has, is 400 invalid_token.',
      tags: ['account'],
      errors: ['invalid_token'],
      handler: async ({ services, body }) => ({ body: fields.project(await services.account.confirmEmailVerification(body)) }),
    }),
    defineRoute({
      id: 'auth.changePassword',
      method: 'POST',
      path: `${base}/change-password`,
      auth: 'user',
      rateLimit: { limit: 5, windowMs: 15 * MINUTE },
      schemas: { body: account.changePassword, successStatus: 204 },
      summary: 'Change the current user’s password',
      description: 'Needs the current password (401 when wrong). Ends every other session of the user and mails a notice.',
      tags: ['account'],
      handler: async ({ services, auth, body }) => {
        await services.account.changePassword(auth, body);
        return {};
      },
    }),
  ];
}
