// Compiled by `npm run typecheck`; test/docs-consistency.test.ts checks README.md shows this file verbatim.
import { createCore, loadConfigFromEnv } from '@app/core';

const core = await createCore(loadConfigFromEnv());
try {
  const users = await core.services.users.bulkCreate([
    { email: 'grace@example.com', username: 'grace', password: 'compiler-A0-1952' },
  ]);
  const { stats } = await core.services.dashboard.getStats();
  console.log(users.length, stats.total_users);
} finally {
  await core.close();
}
