import { AppError, type CoreHooks } from '@app/core';

// #region hooks
/**
 * Hooks run inside the transaction of the change, after the row is written: throwing vetoes
 * it (the row is rolled back) and an `AppError` chooses the answer, here the envelope's 422
 * naming `body.email`. Only self sign-up is refused; a superuser may still create the account.
 */
export function createHooks(blockedDomains: readonly string[]): CoreHooks {
  const blocked = new Set(blockedDomains.map((domain) => domain.toLowerCase()));
  return {
    'user.created': ({ user, source }) => {
      const domain = user.email.slice(user.email.lastIndexOf('@') + 1);
      if (source !== 'register' || !blocked.has(domain)) return;
      throw new AppError('validation_error', 'Registration is not open to this email domain', {
        details: [{ type: 'blocked_domain', field: 'email', message: `Addresses at ${domain} cannot register` }],
      });
    },
  };
}
// #endregion hooks
