import { inject, injectable } from 'inversify';
import { CLOCK, type Clock } from '../clock/clock';
import type { User } from '../domain/types';
import { USER_FIELDS, type UserField, type UserFields } from '../domain/user-fields';
import { EVENT_BUS, type EventBus } from '../events/event-bus';
import { USER_REPOSITORY, type UserRepository } from '../repositories/user-repository';
import { csvCell } from './csv-cell';

const DEFAULT_BATCH = 1000;

/** Options of the two user exports. */
export interface UserExportOptions {
  /** Users per keyset batch (default 1000, at most 10,000). */
  batchSize?: number;
  /** Who runs it, for the `export.run` event; null (the default) for a worker. */
  actor?: User | null;
}

/** One field's value as CSV text: empty for null, ISO-8601 UTC for times, text guarded. */
function csvValue(field: UserField, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  return field.type === 'string' || field.type === 'text' ? csvCell(String(value)) : String(value);
}

/**
 * The user exports (docs/reference/routes.md "Exports"): every user ordered by id, streamed
 * in keyset batches so memory stays flat however many users there are and rows inserted
 * during the export never shift a page. The columns are the registry's exported fields.
 * Each export emits `export.run` before its first chunk (the audit trail records it).
 */
@injectable()
export class ExportService {
  constructor(
    @inject(USER_REPOSITORY) private readonly repository: UserRepository,
    @inject(USER_FIELDS) private readonly fields: UserFields,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  /** The CSV header line's cells: the exported fields, in order. */
  get csvColumns(): string[] {
    return this.fields.exported.map((field) => field.name);
  }

  /** One CSV line (without the line break) for a user. */
  csvRow(user: User): string {
    const record = user as unknown as Record<string, unknown>;
    return this.fields.exported.map((field) => csvValue(field, record[field.name])).join(',');
  }

  /** Every user in id order, fetched `batchSize` at a time (default 1000). */
  async *users(batchSize: number = DEFAULT_BATCH): AsyncGenerator<User> {
    for await (const batch of this.batches(batchSize)) yield* batch;
  }

  /**
   * The chunks of `{"exported_at":"…","total_users":N,"users":[…]}`: one chunk for the head,
   * one per batch, one for the tail. `total_users` is counted before streaming, so users
   * created meanwhile may make the list differ from it by a few.
   */
  async *json(options: UserExportOptions = {}): AsyncGenerator<string> {
    await this.recordRun('json', options);
    const total = await this.repository.count();
    const exportedAt = this.clock.now().toISOString();
    yield `{"exported_at":${JSON.stringify(exportedAt)},"total_users":${total},"users":[`;
    let first = true;
    for await (const batch of this.batches(options.batchSize ?? DEFAULT_BATCH)) {
      const body = batch.map((user) => JSON.stringify(this.fields.exportRecord(user))).join(',');
      yield first ? body : `,${body}`;
      first = false;
    }
    yield ']}';
  }

  /** The CSV export: the header line, then one CRLF-terminated line per user (one chunk per batch). */
  async *csv(options: UserExportOptions = {}): AsyncGenerator<string> {
    await this.recordRun('csv', options);
    yield `${this.csvColumns.join(',')}\r\n`;
    for await (const batch of this.batches(options.batchSize ?? DEFAULT_BATCH)) {
      yield batch.map((user) => `${this.csvRow(user)}\r\n`).join('');
    }
  }

  /** Outside any transaction (an export changes nothing); the audit trail writes its own. */
  private recordRun(format: 'csv' | 'json', options: UserExportOptions): Promise<void> {
    return this.events.emit('export.run', { actor: options.actor ?? null, export: 'users', format, filters: {} });
  }

  private async *batches(batchSize: number): AsyncGenerator<User[]> {
    const size = Number.isInteger(batchSize) && batchSize > 0 ? Math.min(batchSize, 10_000) : DEFAULT_BATCH;
    let afterId = 0;
    for (;;) {
      const batch = await this.repository.listAfterId(afterId, size);
      if (batch.length === 0) return;
      yield batch;
      afterId = batch[batch.length - 1]!.id;
      if (batch.length < size) return;
    }
  }
}
