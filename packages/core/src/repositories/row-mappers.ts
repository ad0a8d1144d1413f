import type { Session, User, UserRecord } from '../domain/types';
import type { UserField, UserFields } from '../domain/user-fields';

/**
 * Rows as the drivers return them: PostgreSQL gives booleans and Dates; SQLite (raw
 * queries) gives 0/1 and Sequelize's stored text `2026-01-15 10:30:00.123 +00:00`. These
 * mappers turn either into plain records keyed by column name, so no model instance leaves
 * a repository.
 */
export type Row = Record<string, unknown>;

/** A stored timestamp as a JS Date in UTC. */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  const text = String(value);
  // Text without an offset was written in UTC (Sequelize's timezone is +00:00).
  return new Date(/(Z|[+-]\d\d:?\d\d)$/.test(text.trim()) ? text : `${text}Z`);
}

/** A stored boolean (true/false, 1/0, '1'/'0', 't'/'f') as a boolean. */
export function toBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't' || value === 'true';
}

function toValue(field: Pick<UserField, 'type' | 'nullable'>, value: unknown): unknown {
  if (value === null || value === undefined) return field.nullable ? null : value;
  switch (field.type) {
    case 'boolean':
      return toBoolean(value);
    case 'integer':
      return Number(value);
    case 'datetime':
      return toDate(value);
    default:
      return String(value);
  }
}

/** A `users` row as a {@link User}: every registry field, converted by its type; no hash. */
export function toUser(row: Row, fields: UserFields): User {
  return Object.fromEntries(fields.all.map((field) => [field.name, toValue(field, row[field.name])])) as unknown as User;
}

/** A `users` row including its hash. */
export function toUserRecord(row: Row, fields: UserFields): UserRecord {
  return { ...toUser(row, fields), hashed_password: String(row.hashed_password) };
}

/** The attributes a user query selects: every registry field (with the hash when asked). */
export function userAttributes(fields: UserFields, withHash = false): string[] {
  const names = fields.all.map((field) => field.name);
  return withHash ? [...names, 'hashed_password'] : names;
}

/** A `sessions` row as a {@link Session}. */
export function toSession(row: Row): Session {
  const optionalText = (value: unknown) => (value === null || value === undefined ? null : String(value));
  return {
    id: Number(row.id),
    user_id: Number(row.user_id),
    jti: String(row.jti),
    ip_address: optionalText(row.ip_address),
    user_agent: optionalText(row.user_agent),
    is_active: toBoolean(row.is_active),
    expires_at: toDate(row.expires_at),
    // Rows older than refresh families were given one by their migration; never null since.
    absolute_expires_at: toDate(row.absolute_expires_at ?? row.expires_at),
    created_at: toDate(row.created_at),
    last_used_at: row.last_used_at === null || row.last_used_at === undefined ? null : toDate(row.last_used_at),
  };
}
