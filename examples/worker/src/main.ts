/**
 * Imports users from a CSV or JSONL file with the core and no HTTP server, the same way
 * `npx app-core users import <file>` does (docs/guides/workers.md "Importing users"):
 *
 *   npm run worker -- examples/worker/sample-users.csv
 *
 * Configuration comes from the same environment variables as the server (DATABASE_URL,
 * BCRYPT_ROUNDS, …). Exits 0 when the file was processed (even with refused rows), 1 on a
 * fatal error.
 */
import cliProgress from 'cli-progress';
import { ConfigError, createCore, loadConfigFromEnv, readImportFile, StartupError } from '@app/core';

async function main(file: string | undefined): Promise<void> {
  if (!file) throw new UsageError('usage: npm run worker -- <users.csv|users.jsonl>');
  const core = await createCore({ ...loadConfigFromEnv(process.env), migrate: true });
  try {
    const { rows, lines, unreadable } = await readImportFile(file, core.fields);
    const bar = new cliProgress.SingleBar({ format: 'Importing [{bar}] {percentage}% | {value}/{total} rows' }, cliProgress.Presets.shades_classic);
    bar.start(rows.length, 0);
    const summary = await core.services.users.importUsers(rows, { onProgress: (done) => bar.update(done) });
    bar.stop();
    console.log(`\nCreated: ${summary.created}`);
    for (const { line, reason } of unreadable) console.log(`  line ${line}: ${reason}`);
    for (const { index, reasons } of summary.failed) console.log(`  line ${lines[index]}: ${reasons.join('; ')}`);
    console.table((await core.services.dashboard.getStats()).stats);
  } finally {
    await core.close();
  }
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
