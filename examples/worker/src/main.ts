/**
 * Imports users from a CSV file with the core and no HTTP server:
 *
 *   npm run worker -- examples/worker/sample-users.csv
 *
 * Columns: email, username, password, full_name (optional). Configuration comes from the
 * same environment variables as the server (DATABASE_URL, REDIS_URL, BCRYPT_ROUNDS, …).
 * Exits 0 when the file was processed (even with rejected rows), 1 on a fatal error.
 */
import { readFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import { ConfigError, createCore, loadConfigFromEnv, StartupError } from '@app/core';
import { parseCsv } from './csv';
import { importUsers, type ImportSummary } from './import-users';

async function main(file: string | undefined): Promise<void> {
  if (!file) throw new UsageError('usage: npm run worker -- <users.csv>');
  const options = loadConfigFromEnv(process.env);
  const records = parseCsv(await readFile(file, 'utf8'));
  const core = await createCore({ ...options, migrate: true });
  try {
    const bar = new cliProgress.SingleBar(
      { format: 'Importing [{bar}] {percentage}% | {value}/{total} rows', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(records.length - 1, 0), 0);
    const summary = await importUsers(core.services.users, core.schemas.create, records, {
      batchSize: core.config.bulkMax,
      onProgress: (done) => bar.update(done),
    });
    bar.stop();
    printSummary(summary);
    const { stats } = await core.services.dashboard.getStats();
    console.log('\nDashboard stats:');
    console.table(stats);
  } finally {
    await core.close();
  }
}

function printSummary({ created, duplicates, invalid }: ImportSummary): void {
  console.log(`\nCreated: ${created}`);
  console.log(`Duplicates: ${duplicates.length}`);
  for (const row of duplicates) console.log(`  line ${row.line}: ${row.reasons.join('; ')}`);
  console.log(`Invalid rows: ${invalid.length}`);
  for (const row of invalid) console.log(`  line ${row.line}: ${row.reasons.join('; ')}`);
}

class UsageError extends Error {}

main(process.argv[2]).catch((error: unknown) => {
  const known =
    error instanceof ConfigError ||
    error instanceof StartupError ||
    error instanceof UsageError ||
    (error as NodeJS.ErrnoException)?.code === 'ENOENT';
  console.error(known ? (error as Error).message : error);
  process.exit(1);
});
