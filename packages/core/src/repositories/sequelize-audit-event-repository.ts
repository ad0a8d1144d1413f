import { inject, injectable } from 'inversify';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { AuditDetails, AuditEvent, AuditPageRequest, NewAuditEvent } from '../audit/audit-event';
import type { SequelizeUnitOfWork } from '../database/sequelize-unit-of-work';
import { TABLE_NAMES, type TableNames } from '../database/table-names';
import { UNIT_OF_WORK } from '../database/unit-of-work';
import { SEQUELIZE } from '../models/create-models';
import type { AuditEventRepository } from './audit-event-repository';
import { BaseRepository } from './base-repository';
import { toDate, type Row } from './row-mappers';

const COLUMNS = ['type', 'occurred_at', 'actor_user_id', 'subject_user_id', 'ip_address', 'user_agent', 'request_id', 'details'] as const;
const SELECT_LIST = `id, ${COLUMNS.join(', ')}`;
/** Rows per INSERT: a bulk create of 10,000 users stays a handful of statements. */
const INSERT_CHUNK = 500;

/**
 * {@link AuditEventRepository} in plain SQL that runs unchanged on PostgreSQL and SQLite.
 * Times go through Sequelize's escaping, which formats a Date exactly as Sequelize stores it
 * (on SQLite: text that sorts chronologically), so comparisons and the row-value cursor
 * `(occurred_at, id) < (…)` are correct on both and use the (…, occurred_at, id) indexes.
 */
@injectable()
export class SequelizeAuditEventRepository extends BaseRepository implements AuditEventRepository {
  /** The table of migration 0006, with the configured prefix and schema. */
  private readonly table: string;
  private readonly postgres: boolean;

  constructor(
    @inject(SEQUELIZE) private readonly sequelize: Sequelize,
    @inject(UNIT_OF_WORK) uow: SequelizeUnitOfWork,
    @inject(TABLE_NAMES) tables: TableNames,
  ) {
    super(uow);
    this.table = tables.sql(tables.auditEvents);
    this.postgres = sequelize.getDialect() === 'postgres';
  }

  async insert(rows: readonly NewAuditEvent[]): Promise<AuditEvent[]> {
    const inserted: AuditEvent[] = [];
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      inserted.push(...(await this.insertChunk(rows.slice(start, start + INSERT_CHUNK))));
    }
    return inserted;
  }

  async page(request: AuditPageRequest): Promise<AuditEvent[]> {
    const conditions: string[] = [];
    const replacements: Record<string, unknown> = { limit: request.limit };
    const add = (sql: string, name: string, value: unknown) => {
      conditions.push(sql);
      replacements[name] = value;
    };
    if (request.type !== undefined) add('type = :type', 'type', request.type);
    if (request.actor_user_id !== undefined) add('actor_user_id = :actor', 'actor', request.actor_user_id);
    if (request.subject_user_id !== undefined) add('subject_user_id = :subject', 'subject', request.subject_user_id);
    if (request.since !== undefined) add('occurred_at >= :since', 'since', request.since);
    if (request.until !== undefined) add('occurred_at < :until', 'until', request.until);
    if (request.after) {
      add('(occurred_at, id) < (:afterAt, :afterId)', 'afterAt', request.after.occurred_at);
      replacements.afterId = request.after.id;
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = await this.statement((options) =>
      this.sequelize.query<Row>(`SELECT ${SELECT_LIST} FROM ${this.table} ${where} ORDER BY occurred_at DESC, id DESC LIMIT :limit`, {
        ...options,
        type: QueryTypes.SELECT,
        replacements,
      }),
    );
    return rows.map(toAuditEvent);
  }

  async deleteBefore(cutoff: Date, limit: number): Promise<number> {
    // The subquery bounds one statement's work, so a purge of millions never holds a long lock.
    const deleted = await this.statement((options) =>
      this.sequelize.query(
        `DELETE FROM ${this.table} WHERE id IN (SELECT id FROM ${this.table} WHERE occurred_at < :cutoff ORDER BY occurred_at, id LIMIT :limit)`,
        { ...options, type: QueryTypes.BULKDELETE, replacements: { cutoff, limit } },
      ),
    );
    return Number(deleted ?? 0);
  }

  private async insertChunk(rows: readonly NewAuditEvent[]): Promise<AuditEvent[]> {
    if (rows.length === 0) return [];
    const replacements: Record<string, unknown> = {};
    const tuples = rows.map((row, index) => {
      for (const column of COLUMNS) {
        replacements[`${column}${index}`] = column === 'details' ? JSON.stringify(row.details) : row[column];
      }
      return `(${COLUMNS.map((column) => `:${column}${index}`).join(', ')})`;
    });
    const sql = `INSERT INTO ${this.table} (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`;
    const ids = await this.statement(async (options) => {
      if (this.postgres) {
        const returned = await this.sequelize.query<{ id: number | string }>(`${sql} RETURNING id`, {
          ...options,
          type: QueryTypes.SELECT,
          replacements,
        });
        // Sequence values are drawn in VALUES order, so ascending ids match the input order.
        return returned.map((row) => Number(row.id)).sort((a, b) => a - b);
      }
      // SQLite holds its write lock for the statement: its rows take consecutive rowids ending at lastID.
      const [lastId, changes] = (await this.sequelize.query(sql, { ...options, type: QueryTypes.INSERT, replacements })) as unknown as [
        number,
        number,
      ];
      return Array.from({ length: changes }, (_, index) => lastId - changes + 1 + index);
    });
    if (ids.length !== rows.length) throw new Error(`audit insert returned ${ids.length} ids for ${rows.length} rows`);
    return rows.map((row, index) => ({ id: ids[index]!, ...row }));
  }
}

/** A row as an {@link AuditEvent}; unreadable details (written by hand) read as `{}`. */
function toAuditEvent(row: Row): AuditEvent {
  const optional = (value: unknown) => (value === null || value === undefined ? null : value);
  return {
    id: Number(row.id),
    type: String(row.type),
    occurred_at: toDate(row.occurred_at),
    actor_user_id: optional(row.actor_user_id) === null ? null : Number(row.actor_user_id),
    subject_user_id: optional(row.subject_user_id) === null ? null : Number(row.subject_user_id),
    ip_address: optional(row.ip_address) === null ? null : String(row.ip_address),
    user_agent: optional(row.user_agent) === null ? null : String(row.user_agent),
    request_id: optional(row.request_id) === null ? null : String(row.request_id),
    details: parseDetails(row.details),
  };
}

function parseDetails(text: unknown): AuditDetails {
  try {
    const value: unknown = JSON.parse(String(text));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as AuditDetails) : {};
  } catch {
    return {};
  }
}
