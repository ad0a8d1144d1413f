import { withClient } from './bench-database';

/** Changes whenever the generated shape changes, so an older dataset is re-seeded. */
const SHAPE = '/300d-v2';

/**
 * Makes bench database `name` hold exactly `count` audit events, reusing it when a previous
 * run already did (the `bench_meta` row `audit_events`). One INSERT … SELECT from
 * generate_series with a fixed random seed, so every run and machine gets the same data:
 * `occurred_at` rises with the id over the 300 days before seeding (an append-only log, as in
 * production, and inside the 365-day retention for weeks of reruns); 40 % login.succeeded,
 * 20 % login.failed (anonymous), 20 % user.updated, 10 % logout, 5 % user.created, 4.9 %
 * export.run, 0.1 % login.locked; actors and subjects among 10,000 users; then VACUUM
 * ANALYZE, as autovacuum would leave a live table.
 */
export async function ensureAuditEvents(name: string, count: number): Promise<void> {
  const current = await withClient(name, async (client) => {
    await client.query('CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL)');
    const { rows } = await client.query<{ value: string }>("SELECT value FROM bench_meta WHERE key = 'audit_events'");
    return rows[0]?.value;
  });
  if (current === `${count}${SHAPE}`) return;
  const started = Date.now();
  process.stderr.write(`seeding ${name} with ${count} audit events\n`);
  await withClient(name, async (client) => {
    await client.query('TRUNCATE audit_events RESTART IDENTITY');
    await client.query('SELECT setseed(0.42)');
    await client.query(
      `INSERT INTO audit_events (type, occurred_at, actor_user_id, subject_user_id, ip_address, user_agent, request_id, details)
       SELECT CASE WHEN r < 0.4 THEN 'login.succeeded' WHEN r < 0.6 THEN 'login.failed' WHEN r < 0.8 THEN 'user.updated'
                   WHEN r < 0.9 THEN 'logout' WHEN r < 0.95 THEN 'user.created' WHEN r < 0.999 THEN 'export.run'
                   ELSE 'login.locked' END,
              now() - interval '300 days' + (g::float8 / $1) * interval '300 days',
              CASE WHEN r >= 0.4 AND r < 0.6 THEN NULL ELSE 1 + floor(random() * 10000)::int END,
              1 + floor(random() * 10000)::int,
              '203.0.113.' || (1 + floor(random() * 250)::int),
              'Mozilla/5.0 (bench) AppleWebKit/537.36',
              md5(g::text),
              CASE WHEN r >= 0.4 AND r < 0.6 THEN '{"reason":"wrong_password"}' ELSE '{"changed":["full_name"]}' END
         FROM (SELECT g, random() AS r FROM generate_series(1, $1) AS g) AS s`,
      [count],
    );
    await client.query('VACUUM ANALYZE audit_events');
    await client.query(
      "INSERT INTO bench_meta (key, value) VALUES ('audit_events', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
      [`${count}${SHAPE}`],
    );
  });
  process.stderr.write(`  ${name} ready in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}
