import type { AuditEvent, AuditPageRequest, NewAuditEvent } from '../audit/audit-event';

/**
 * Data access for the audit trail: append, read newest first by keyset, delete the oldest.
 * Every method joins the ambient unit-of-work transaction when one is open, so an event is
 * written, or rolled back, with the change it records.
 */
export interface AuditEventRepository {
  /** Appends `rows` (one statement per 500) and returns them with their ids, in input order. */
  insert(rows: readonly NewAuditEvent[]): Promise<AuditEvent[]>;
  /**
   * Up to `limit` events matching the filters, newest first (occurred_at, then id, both
   * descending), strictly after the cursor `after` when given: one index range read.
   */
  page(request: AuditPageRequest): Promise<AuditEvent[]>;
  /** Deletes up to `limit` of the oldest events that occurred before `cutoff`; resolves with how many. */
  deleteBefore(cutoff: Date, limit: number): Promise<number>;
}

export const AUDIT_EVENT_REPOSITORY = Symbol.for('app.AuditEventRepository');
