/**
 * The core's demo, with no HTTP server: makes sure a superuser exists, bulk-creates 100
 * users, prints the dashboard stats and lists users filtered and sorted. The superuser is
 * FIRST_SUPERUSER_* when set, else `demo_admin` with a random password printed once.
 *
 *   npm run worker:demo
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/demo npm run worker:demo
 *
 * Add BCRYPT_ROUNDS=4 for a quick run on test data (never for real accounts).
 * Each run uses fresh usernames (`demo_<run>_001` …), so it can be repeated.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, createCore, loadConfigFromEnv } from '@app/core';

async function main(): Promise<void> {
  const { firstSuperuser, ...options } = loadConfigFromEnv(process.env);
  const core = await createCore({ ...options, migrate: true });
  try {
    // Never a well-known password: a demo may run against the same database as the server.
    const password = randomBytes(12).toString('base64url');
    const admin = await core.services.users.ensureSuperuser(
      firstSuperuser ?? { email: 'demo-admin@example.com', username: 'demo_admin', password },
    );
    const outcome = admin.created ? 'created' : admin.promoted ? 'promoted' : 'already there';
    console.log(`Superuser ${admin.user.username} (id ${admin.user.id}): ${outcome}`);
    if (admin.created && !firstSuperuser) console.log(`  its generated password, shown once: ${password}`);

    const run = Date.now().toString(36);
    const inputs = Array.from({ length: 100 }, (_, index) => {
      const n = String(index + 1).padStart(3, '0');
      return { email: `demo_${run}_${n}@example.com`, username: `demo_${run}_${n}`, password: `demo-password-${n}`, full_name: `Demo User ${n}` };
    });
    const started = Date.now();
    const created = await core.services.users.bulkCreate(inputs);
    console.log(`Bulk-created ${created.length} users in ${Date.now() - started} ms (one transaction, passwords hashed in parallel)`);

    const { stats, cached } = await core.services.dashboard.getStats();
    console.log(`\nDashboard stats (${cached ? 'from the cache' : 'computed'}):`);
    console.table(stats);

    const page = await core.services.users.listUsers({
      page: 1,
      size: 5,
      is_active: true,
      search: `demo_${run}`,
      sort_by: 'username',
      sort_order: 'desc',
    });
    console.log(`\nActive users matching "demo_${run}", by username descending: ${page.total} in ${page.pages} pages; page 1:`);
    console.table(page.items.map((user) => ({ id: user.id, username: user.username, email: user.email, created_at: user.created_at.toISOString() })));
  } finally {
    await core.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
