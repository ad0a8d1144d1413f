import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { integerFlag, UsageError, withCore, type CliContext } from './cli-context';

/** Usage of `seed`. */
export const SEED_USAGE = `app-core seed --users N [--password P] [--batch 1000] [--force]
                                  insert N generated users (seed_<n>_<run>@example.com) sharing
                                  one password, hashed once; a random one is printed if not given;
                                  refused in production unless --force`;

/**
 * `seed`: bulk-inserts generated users for benchmarks. The service hashes the one password
 * once and inserts batches of `--batch` rows, each batch in its own transaction, so a million
 * users take minutes and an interrupted run keeps what it committed.
 */
export async function seedCommand(args: string[], context: CliContext): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      users: { type: 'string' },
      password: { type: 'string' },
      batch: { type: 'string' },
      force: { type: 'boolean' },
    },
  });
  const count = integerFlag('users', values.users, { min: 1, max: 10_000_000 });
  const batchSize = integerFlag('batch', values.batch, { min: 1, max: 10_000, fallback: 1000 });
  const password = values.password ?? randomBytes(12).toString('base64url');

  await withCore(context, async (core) => {
    if (core.config.environment === 'production' && !values.force) {
      throw new UsageError('refusing to seed a production database without --force');
    }
    const bar = new cliProgress.SingleBar(
      {
        format: 'Seeding [{bar}] {percentage}% | {value}/{total} users | {eta_formatted} left',
        hideCursor: true,
        stream: context.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = performance.now();
    bar.start(count, 0);
    let created: number;
    try {
      created = await core.services.users.seedUsers({ count, password, batchSize, onProgress: (done) => bar.update(done) });
    } finally {
      bar.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const rate = Math.round(created / Math.max(seconds, 0.001));
    context.stdout.write(`Seeded ${created} users in ${seconds.toFixed(1)}s (${rate}/s)\n`);
    if (values.password === undefined) context.stdout.write(`Their password: ${password}\n`);
  });
}
