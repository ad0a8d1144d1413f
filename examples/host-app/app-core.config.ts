// #region config-module
import type { CoreOptions } from '@app/core';
import { userFields } from './src/fields';
import { migrations } from './src/migrations';

/**
 * What the host app and the `app-core` CLI share (docs/guides/migrations.md): run from this
 * folder, `app-core migrate up` applies exactly the tables and migrations the app runs.
 */
export default {
  database: { tablePrefix: 'auth_' }, // the host has a `users` table of its own: the core's are auth_users, ...
  user: { fields: userFields },
  migrations, // run after the core's, in the same locked run
} satisfies Partial<CoreOptions>;
// #endregion config-module
