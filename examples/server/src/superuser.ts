import type { Core, CoreOptions } from '@app/core';
import type { Logger } from 'pino';

/** The `FIRST_SUPERUSER_*` credentials, as `loadConfigFromEnv` reads them. */
export type FirstSuperuser = NonNullable<CoreOptions['firstSuperuser']>;

/**
 * Makes sure an administrator exists. With `FIRST_SUPERUSER_*` set, creates that user (or
 * promotes the existing one of that email or username) and logs which happened, never the
 * password. Without them, in development, logs how to create one when none exists yet.
 */
export async function ensureFirstSuperuser(core: Core, first: FirstSuperuser | undefined, log: Logger): Promise<void> {
  if (first) {
    const { user, created, promoted } = await core.services.users.ensureSuperuser(first);
    const outcome = created ? 'created' : promoted ? 'promoted to superuser' : 'already a superuser';
    log.info({ user_id: user.id, username: user.username }, `first superuser ${outcome}`);
    return;
  }
  if (core.config.environment !== 'development') return;
  const { total } = await core.services.users.listUsers({
    page: 1,
    size: 1,
    isSuperuser: true,
    sortBy: 'created_at',
    sortOrder: 'desc',
  });
  if (total === 0) {
    log.warn(
      'no superuser yet: run `npx app-core create-superuser` (in this repository: ' +
        '`npm run app-core -- create-superuser`), or set FIRST_SUPERUSER_EMAIL, ' +
        'FIRST_SUPERUSER_USERNAME and FIRST_SUPERUSER_PASSWORD and restart',
    );
  }
}
