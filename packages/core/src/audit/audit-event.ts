/**
 * The audit trail's records (docs/reference/routes.md "Audit events"): one row of
 * `audit_events` per security-relevant event, written in the transaction of the change it
 * records.
 */

/** A JSON value as `details` may hold it: no functions, no Dates (they are ISO strings). */
export type AuditDetailValue = string | number | boolean | null | AuditDetailValue[] | { [key: string]: AuditDetailValue };

/** An audit event's `details`: a JSON object whose keys the event type declares. */
export type AuditDetails = Record<string, AuditDetailValue>;

/** One recorded event, as the repository returns it and the routes send it (times as Dates). */
export interface AuditEvent {
  id: number;
  /** e.g. `login.failed`, `user.updated` (docs/reference/routes.md lists every type). */
  type: string;
  occurred_at: Date;
  /** Who did it; null for an anonymous caller (a failed login, a registration) or a worker. */
  actor_user_id: number | null;
  /** Whom it concerns; kept after that user is deleted (no foreign key). */
  subject_user_id: number | null;
  ip_address: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: AuditDetails;
}

/** A row to insert: everything but the id. */
export type NewAuditEvent = Omit<AuditEvent, 'id'>;

/** The position after which a page starts: the last (occurred_at, id) of the previous page. */
export interface AuditCursor {
  occurred_at: Date;
  id: number;
}

/**
 * The filters of the query route and the export: every one optional, all combined with AND.
 * `since` is inclusive, `until` exclusive.
 */
export interface AuditFilters {
  type?: string;
  actor_user_id?: number;
  subject_user_id?: number;
  since?: Date;
  until?: Date;
}

/** One keyset page request: newest first, strictly after `after` when given. */
export interface AuditPageRequest extends AuditFilters {
  after?: AuditCursor;
  limit: number;
}

/** One page of the query route: `next_cursor` is null on the last page. */
export interface AuditPage {
  items: AuditEvent[];
  next_cursor: string | null;
}

/** The wire form of an event: times as ISO-8601 UTC strings. */
export function toAuditJson(event: AuditEvent): Record<string, unknown> {
  return { ...event, occurred_at: event.occurred_at.toISOString() };
}

/**
 * Encodes a cursor as an opaque URL-safe string. Clients must not parse it; the encoding may
 * change between versions (a stale cursor is then a 422, never a wrong page).
 */
export function encodeAuditCursor(cursor: AuditCursor): string {
  return Buffer.from(JSON.stringify([cursor.occurred_at.toISOString(), cursor.id])).toString('base64url');
}

/** Decodes {@link encodeAuditCursor}'s output; undefined for anything else. */
export function decodeAuditCursor(text: string): AuditCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [at, id] = value as [unknown, unknown];
    if (typeof at !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(at)) return undefined;
    const occurred_at = new Date(at);
    if (Number.isNaN(occurred_at.getTime()) || !Number.isSafeInteger(id) || (id as number) < 1) return undefined;
    return { occurred_at, id: id as number };
  } catch {
    return undefined;
  }
}
