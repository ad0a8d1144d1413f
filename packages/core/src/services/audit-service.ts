import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { inject, injectable } from 'inversify';
import { encodeAuditCursor, toAuditJson, type AuditEvent, type AuditFilters, type AuditPage } from '../audit/audit-event';
import { CLOCK, type Clock } from '../clock/clock';
import { CORE_CONFIG, type CoreConfig } from '../config/options';
import { UNIT_OF_WORK, type UnitOfWork } from '../database/unit-of-work';
import type { User } from '../domain/types';
import { EVENT_BUS, type EventBus } from '../events/event-bus';
import { AUDIT_EVENT_REPOSITORY, type AuditEventRepository } from '../repositories/audit-event-repository';
import {
  auditExportQuerySchema,
  auditListQuerySchema,
  type AuditExportInput,
  type AuditListInput,
  type AuditListQuery,
} from '../schemas/audit';
import { validate } from '../schemas/input';
import { csvCell } from './csv-cell';

const DAY_MS = 86_400_000;
const EXPORT_BATCH = 1000;

/** The CSV columns of the audit export, in order. */
export const AUDIT_CSV_COLUMNS = [
  'id', 'type', 'occurred_at', 'actor_user_id', 'subject_user_id', 'ip_address', 'user_agent', 'request_id', 'details',
] as const;

/** Options of an audit export. */
export interface AuditExportOptions {
  /** Who runs it, for the `export.run` event; null for a worker. */
  actor?: User | null;
  /** Events per keyset batch (default 1000, at most 10,000). */
  batchSize?: number;
}

/** Options of {@link AuditService.purge}; the defaults come from `audit` in the options. */
export interface AuditPurgeOptions {
  retentionDays?: number;
  batchSize?: number;
  /** Stops between batches once aborted (the core's `close()` does this to its timer). */
  signal?: AbortSignal;
}

/** What a purge did. */
export interface AuditPurgeResult {
  deleted: number;
  /** Events that occurred before this instant were deleted. */
  cutoff: Date;
}

/**
 * Reads and prunes the audit trail (docs/reference/routes.md "Audit events"); the rows
 * themselves are written by the core's audit hooks, never through here. Pages and exports
 * are keyset reads over (occurred_at, id), newest first, so they stay fast at millions of
 * rows and stable while events are being added.
 *
 * @example
 * const { items, next_cursor } = await core.services.audit.list({ type: 'login.failed', size: 20 });
 * const older = await core.services.audit.list({ type: 'login.failed', size: 20, cursor: next_cursor! });
 */
@injectable()
export class AuditService {
  constructor(
    @inject(AUDIT_EVENT_REPOSITORY) private readonly repository: AuditEventRepository,
    @inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @inject(EVENT_BUS) private readonly events: EventBus,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(CORE_CONFIG) private readonly config: CoreConfig,
  ) {}

  /**
   * One page of events matching the filters, newest first. `next_cursor` is null on the last
   * page; pass it as `cursor` for the next one (with the same filters).
   *
   * @throws AppError `validation_error` (422) for a bad filter, size or cursor.
   */
  async list(query: AuditListInput | AuditListQuery = {}): Promise<AuditPage> {
    const { cursor, size, ...filters } = await validate(auditListQuerySchema, query);
    const rows = await this.repository.page({ ...filters, after: cursor, limit: size + 1 });
    const items = rows.slice(0, size);
    const last = items[items.length - 1];
    return { items, next_cursor: rows.length > size && last ? encodeAuditCursor(last) : null };
  }

  /**
   * The JSON export: `{"exported_at":"…","events":[…]}` in chunks, one per keyset batch,
   * every match newest first. Emits `export.run` (and so writes its own audit row) before the
   * first chunk.
   */
  async *json(filters: AuditExportInput = {}, options: AuditExportOptions = {}): AsyncGenerator<string> {
    const valid = await this.start(filters, 'json', options.actor ?? null);
    yield `{"exported_at":${JSON.stringify(this.clock.now().toISOString())},"events":[`;
    let first = true;
    for await (const batch of this.batches(valid, options.batchSize)) {
      const body = batch.map((event) => JSON.stringify(toAuditJson(event))).join(',');
      yield first ? body : `,${body}`;
      first = false;
    }
    yield ']}';
  }

  /**
   * The CSV export: a header line, then one CRLF-terminated line per event, newest first;
   * `details` as JSON text; text cells guarded against spreadsheet formulas like the user
   * export. Emits `export.run` before the first chunk.
   */
  async *csv(filters: AuditExportInput = {}, options: AuditExportOptions = {}): AsyncGenerator<string> {
    const valid = await this.start(filters, 'csv', options.actor ?? null);
    yield `${AUDIT_CSV_COLUMNS.join(',')}\r\n`;
    for await (const batch of this.batches(valid, options.batchSize)) yield batch.map((event) => `${csvLine(event)}\r\n`).join('');
  }

  /**
   * Deletes events older than `retentionDays` (default `audit.retentionDays`, 365) in
   * batches of `batchSize` (default `audit.purgeBatchSize`), each batch its own short
   * transaction, so other writes interleave and no lock is held for long.
   */
  async purge(options: AuditPurgeOptions = {}): Promise<AuditPurgeResult> {
    const days = options.retentionDays ?? this.config.audit.retentionDays;
    const batch = options.batchSize ?? this.config.audit.purgeBatchSize;
    const cutoff = new Date(this.clock.now().getTime() - days * DAY_MS);
    let deleted = 0;
    while (!options.signal?.aborted) {
      const count = await this.uow.run(() => this.repository.deleteBefore(cutoff, batch));
      deleted += count;
      if (count < batch) break;
      await yieldToEventLoop();
    }
    return { deleted, cutoff };
  }

  /** Validates the filters and records the export before anything is streamed. */
  private async start(filters: AuditExportInput, format: 'csv' | 'json', actor: User | null): Promise<AuditFilters> {
    const { format: _format, ...valid } = await validate(auditExportQuerySchema, { ...filters, format });
    const described = Object.fromEntries(
      Object.entries(valid)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => [key, value instanceof Date ? value.toISOString() : (value as string | number)]),
    );
    await this.events.emit('export.run', { actor, export: 'audit_events', format, filters: described });
    return valid;
  }

  private async *batches(filters: AuditFilters, batchSize = EXPORT_BATCH): AsyncGenerator<AuditEvent[]> {
    const limit = Number.isInteger(batchSize) && batchSize > 0 ? Math.min(batchSize, 10_000) : EXPORT_BATCH;
    let after: AuditEvent | undefined;
    for (;;) {
      const batch = await this.repository.page({ ...filters, after, limit });
      if (batch.length === 0) return;
      yield batch;
      if (batch.length < limit) return;
      after = batch[batch.length - 1];
    }
  }
}

function csvLine(event: AuditEvent): string {
  const text = (value: string | null) => (value === null ? '' : csvCell(value));
  return [
    String(event.id),
    text(event.type),
    event.occurred_at.toISOString(),
    event.actor_user_id === null ? '' : String(event.actor_user_id),
    event.subject_user_id === null ? '' : String(event.subject_user_id),
    text(event.ip_address),
    text(event.user_agent),
    text(event.request_id),
    text(JSON.stringify(event.details)),
  ].join(',');
}
