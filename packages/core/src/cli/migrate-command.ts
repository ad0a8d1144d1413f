import { parseArgs } from 'node:util';
import { UsageError, withCore, type CliContext } from './cli-context';

/** Usage of `migrate`. */
export const MIGRATE_USAGE = `app-core migrate up              apply every pending migration
app-core migrate down [--to NAME] revert the last migration, or down to and including NAME
app-core migrate down --all       revert every migration
app-core migrate status           list applied and pending migrations`;

const list = (names: string[]) => (names.length > 0 ? names.join(', ') : 'none');

/** `migrate up|down|status`: versioned schema migrations of the configured database. */
export async function migrateCommand(args: string[], context: CliContext): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { to: { type: 'string' }, all: { type: 'boolean' } },
  });
  const [action, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (action !== 'down' && (values.to !== undefined || values.all)) {
    throw new UsageError('--to and --all only apply to migrate down');
  }
  if (values.to !== undefined && values.all) throw new UsageError('use either --to or --all, not both');

  const print = (line: string) => context.stdout.write(`${line}\n`);
  switch (action) {
    case 'up':
      return withCore(context, async (core) => {
        const applied = await core.migrator.up();
        print(applied.length > 0 ? `Applied ${applied.length} migration(s): ${list(applied)}` : 'No pending migrations');
      });
    case 'down':
      return withCore(context, async (core) => {
        const to = values.all ? 0 : values.to;
        const reverted = await core.migrator.down(to === undefined ? {} : { to });
        print(reverted.length > 0 ? `Reverted ${reverted.length} migration(s): ${list(reverted)}` : 'Nothing to revert');
      });
    case 'status':
      return withCore(context, async (core) => {
        const { executed, pending } = await core.migrator.status();
        for (const name of executed) print(`applied  ${name}`);
        for (const name of pending) print(`pending  ${name}`);
        print(`${executed.length} applied, ${pending.length} pending`);
      });
    case undefined:
      throw new UsageError('migrate needs up, down or status');
    default:
      throw new UsageError(`unknown migrate action '${action}'`);
  }
}
