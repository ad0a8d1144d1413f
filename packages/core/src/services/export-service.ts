import { inject, injectable } from 'inversify';
import type { User } from '../domain/types';
import { toUserJson } from '../domain/user-json';
import { USER_REPOSITORY, type UserRepository } from '../repositories/user-repository';
import type { UserJson } from '../schemas/user';

/** The CSV header of SPEC's user export, in column order. */
export const CSV_HEADER = 'id,email,username,full_name,is_active,is_superuser,created_at,updated_at';

const DEFAULT_BATCH = 1000;

/**
 * RFC 4180 cell: quoted when it holds a quote, comma or line break (quotes doubled). Text
 * starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` first, so a spreadsheet shows
 * it instead of evaluating it as a formula (CSV injection).
 */
export function csvCell(value: string): string {
  const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** One CSV line (without the line break) for a user. */
export function csvRow(user: User): string {
  return [
    String(user.id),
    csvCell(user.email),
    csvCell(user.username),
    user.fullName === null ? '' : csvCell(user.fullName),
    String(user.isActive),
    String(user.isSuperuser),
    user.createdAt.toISOString(),
    user.updatedAt.toISOString(),
  ].join(',');
}

/**
 * Streams every user, ordered by id, in keyset batches: memory stays flat however many users
 * there are, and rows inserted during the export never shift a page.
 */
@injectable()
export class ExportService {
  constructor(@inject(USER_REPOSITORY) private readonly repository: UserRepository) {}

  /** Every user in id order, fetched `batchSize` at a time (default 1000). */
  async *users(batchSize: number = DEFAULT_BATCH): AsyncGenerator<User> {
    for await (const batch of this.batches(batchSize)) yield* batch;
  }

  /**
   * The chunks of `{"exported_at":"…","total_users":N,"users":[…]}`: one chunk for the head,
   * one per batch, one for the tail. `total_users` is counted before streaming, so users
   * created meanwhile may make the list differ from it by a few.
   */
  async *json(batchSize: number = DEFAULT_BATCH): AsyncGenerator<string> {
    const total = await this.repository.count();
    const exportedAt = new Date().toISOString();
    yield `{"exported_at":${JSON.stringify(exportedAt)},"total_users":${total},"users":[`;
    let first = true;
    for await (const batch of this.batches(batchSize)) {
      const body = batch.map((user) => JSON.stringify(toUserJson(user))).join(',');
      yield first ? body : `,${body}`;
      first = false;
    }
    yield ']}';
  }

  /** The CSV export: the header line, then one CRLF-terminated line per user (one chunk per batch). */
  async *csv(batchSize: number = DEFAULT_BATCH): AsyncGenerator<string> {
    yield `${CSV_HEADER}\r\n`;
    for await (const batch of this.batches(batchSize)) {
      yield batch.map((user) => `${csvRow(user)}\r\n`).join('');
    }
  }

  /** The caller's own data for `GET /export/my-data`. */
  async exportUser(user: User): Promise<UserJson> {
    return toUserJson(user);
  }

  private async *batches(batchSize: number): AsyncGenerator<User[]> {
    const size = Number.isInteger(batchSize) && batchSize > 0 ? Math.min(batchSize, 10_000) : DEFAULT_BATCH;
    let afterId = 0;
    for (;;) {
      const batch = await this.repository.listAfterId(afterId, size);
      if (batch.length === 0) return;
      yield batch;
      afterId = batch[batch.length - 1].id;
      if (batch.length < size) return;
    }
  }
}
