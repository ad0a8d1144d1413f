import type { Session, User, UserRecord } from '../domain/types';

/**
 * Rows as the drivers return them: PostgreSQL gives booleans and Dates; SQLite (raw
 * queries) gives 0/1 and Sequelize's stored text `2026-01-15 10:30:00.123 +00:00`. These
 * mappers turn either into plain domain objects, so no model instance leaves a repository.
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

function toOptionalDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

/** A stored boolean (true/false, 1/0, '1'/'0', 't'/'f') as a boolean. */
export function toBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't' || value === 'true';
}

function toOptionalString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** A `users` row (camelCase attribute keys) as a {@link User}, without the hash. */
export function toUser(row: Row): User {
  return {
    id: Number(row.id),
    email: String(row.email),
    username: String(row.username),
    fullName: toOptionalString(row.fullName),
    isActive: toBoolean(row.isActive),
    isSuperuser: toBoolean(row.isSuperuser),
    createdAt: toDate(row.createdAt),
    updatedAt: toDate(row.updatedAt),
  };
}

/** A `users` row including its hash. */
export function toUserRecord(row: Row): UserRecord {
  return { ...toUser(row), hashedPassword: String(row.hashedPassword) };
}

/** A `sessions` row (camelCase attribute keys) as a {@link Session}. */
export function toSession(row: Row): Session {
  return {
    id: Number(row.id),
    userId: Number(row.userId),
    jti: String(row.jti),
    ipAddress: toOptionalString(row.ipAddress),
    userAgent: toOptionalString(row.userAgent),
    isActive: toBoolean(row.isActive),
    expiresAt: toDate(row.expiresAt),
    createdAt: toDate(row.createdAt),
    lastUsedAt: toOptionalDate(row.lastUsedAt),
  };
}

/** The columns of {@link User} under their attribute names, hash excluded. */
export const USER_ATTRIBUTES = [
  'id',
  'email',
  'username',
  'fullName',
  'isActive',
  'isSuperuser',
  'createdAt',
  'updatedAt',
] as const;
