import { parseArgs } from 'node:util';
import { integerFlag, UsageError, withCore, type CliContext } from './cli-context';

/** Usage of `audit`. */
export const AUDIT_USAGE = `app-core audit purge [--days N] [--batch N]
                                  delete audit events older than N days (default
                                  AUDIT_RETENTION_DAYS, 365), N rows per transaction (default 5000)`;

/**
 * `audit purge`: applies the retention of the audit trail. Deletes in batches, each its own
 * short transaction, so a purge of millions of rows never locks the table for long and an
 * interrupted run keeps what it deleted.
 */
export async function auditCommand(args: string[], context: CliContext): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { days: { type: 'string' }, batch: { type: 'string' } },
  });
  const [action, ...extra] = positionals;
  if (action === undefined) throw new UsageError('audit needs purge');
  if (action !== 'purge') throw new UsageError(`unknown audit action '${action}'`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const retentionDays = values.days === undefined ? undefined : integerFlag('days', values.days, { min: 1, max: 36_500 });
  const batchSize = values.batch === undefined ? undefined : integerFlag('batch', values.batch, { min: 1, max: 100_000 });

  await withCore(context, async (core) => {
    const days = retentionDays ?? core.config.audit.retentionDays;
    const started = performance.now();
    const { deleted, cutoff } = await core.services.audit.purge({ retentionDays: days, batchSize });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    context.stdout.write(`Purged ${deleted} audit event(s) older than ${cutoff.toISOString()} (${days} days) in ${seconds}s\n`);
  });
}
