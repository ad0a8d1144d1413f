import { parseArgs } from 'node:util';
import { UsageError, withCore, type CliContext } from './cli-context';

/** Usage of `sessions`. */
export const SESSIONS_USAGE = `app-core sessions purge            delete expired and revoked sessions now (servers also do it
                                  every SESSION_PURGE_INTERVAL_MINUTES); for a cron job`;

/** `sessions purge`: deletes the sessions that can never be used again and says how many. */
export async function sessionsCommand(args: string[], context: CliContext): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const [action, ...extra] = positionals;
  if (action === undefined) throw new UsageError('sessions needs purge');
  if (action !== 'purge') throw new UsageError(`unknown sessions action '${action}'`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  await withCore(context, async (core) => {
    const purged = await core.maintenance.purgeExpiredSessions();
    context.stdout.write(`Purged ${purged} expired or revoked session(s)\n`);
  });
}
