import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { integerFlag, UsageError, withCore, type CliContext } from './cli-context';
import { readImportFile } from './import-file';

/** Usage of `users`. */
export const USERS_USAGE = `app-core users import <file.csv|file.jsonl> [--batch 500]
                                  import existing users: columns email, username, full_name,
                                  the flags, and password (hashed) or password_hash (bcrypt
                                  $2a$/$2b$/$2y$ or argon2id, kept as is); each batch is written
                                  whole or not at all; every refused line is listed`;

/**
 * `users import`: reads the file, imports it through `core.services.users.importUsers` with
 * a progress bar on stderr, and prints a summary naming each refused line and why. Exits 0
 * when the file was processed, even with refused lines (the summary says how many).
 */
export async function usersCommand(args: string[], context: CliContext): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { batch: { type: 'string' } } });
  const [action, file, ...extra] = positionals;
  if (action !== 'import') throw new UsageError(action === undefined ? "users needs a subcommand: 'import'" : `unknown users subcommand '${action}'`);
  if (file === undefined || extra.length > 0) throw new UsageError('users import takes one file');
  const batchSize = integerFlag('batch', values.batch, { min: 1, max: 5000, fallback: 500 });

  await withCore(context, async (core) => {
    const { rows, lines, unreadable } = await readImportFile(file, core.fields);
    const bar = new cliProgress.SingleBar(
      { format: 'Importing [{bar}] {percentage}% | {value}/{total} rows', hideCursor: true, stream: context.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar.start(rows.length, 0);
    let summary;
    try {
      summary = await core.services.users.importUsers(rows, { batchSize, onProgress: (done) => bar.update(done) });
    } finally {
      bar.stop();
    }
    const refused = [
      ...unreadable.map(({ line, reason }) => ({ line, reasons: [reason] })),
      ...summary.failed.map(({ index, reasons }) => ({ line: lines[index]!, reasons })),
    ].sort((a, b) => a.line - b.line);
    context.stdout.write(`Imported ${summary.created} of ${rows.length + unreadable.length} rows from ${file}\n`);
    if (refused.length > 0) context.stdout.write(`Refused ${refused.length}:\n`);
    for (const { line, reasons } of refused) context.stdout.write(`  line ${line}: ${reasons.join('; ')}\n`);
  });
}
