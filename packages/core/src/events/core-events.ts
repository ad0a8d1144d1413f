import type { AuditEvent } from '../audit/audit-event';
import type { ClientInfo, Session, User } from '../domain/types';

/** How a user came to be. */
export type UserCreateSource = 'register' | 'admin' | 'bulk' | 'seed' | 'superuser' | 'import';

/**
 * Why sessions ended: `revoked` by their owner one by one, `admin_revoked` by a superuser
 * (`DELETE /users/:id/sessions`), `refresh_reuse` when a spent refresh token was replayed.
 */
export type SessionEndReason =
  | 'logout'
  | 'logout_all'
  | 'revoked'
  | 'admin_revoked'
  | 'refresh_reuse'
  | 'password_changed'
  | 'deactivated';

/** Why a login was refused after the lockout let it through (never the password itself). */
export type LoginFailureReason = 'unknown_user' | 'wrong_password' | 'inactive' | 'email_not_verified';

/** What an export read: every user, or the audit trail. */
export type ExportKind = 'users' | 'audit_events';

/**
 * The events of the core, by name, with their payloads. Each event has two phases
 * (docs/guides/extending.md "Hooks and events"):
 *
 * - **hooks** (`createCore({ hooks })`) run inside the transaction of the change, after the
 *   row is written and before commit; throwing (an `AppError`, to choose the answer) vetoes
 *   the change, which is rolled back;
 * - **listeners** (`core.events.on`) run after commit only, never for a rolled-back change;
 *   a listener that throws is logged and changes nothing.
 *
 * `actor` is the signed-in user who made the change, or null (registration, a worker).
 *
 * Events that record no change (`login.failed`, `login.locked`, `export.run`) are emitted
 * outside any transaction: their hooks run at once (a hook that throws replaces the answer)
 * and their listeners right after; the audit trail writes their row in a transaction of its
 * own (docs/decisions.md "Audit trail").
 */
export interface CoreEvents {
  'user.created': { user: User; actor: User | null; source: UserCreateSource };
  /** `changed` names the fields that changed (`password` for a new password). */
  'user.updated': { user: User; before: User; changed: string[]; actor: User | null };
  'user.deleted': { user: User; actor: User | null };
  'login.succeeded': { user: User; session: Session };
  'session.opened': { user: User; session: Session };
  'session.ended': { user_id: number; session_ids: number[]; reason: SessionEndReason; actor: User | null };
  /** A refresh rotated the session's tokens; `session` as it is after the rotation. */
  'session.refreshed': { user: User; session: Session };
  /**
   * A spent refresh token of `session` was presented outside the retry window: someone holds
   * a copy. The session is ended in the same transaction (`session.ended`, `refresh_reuse`).
   */
  'session.reuse_detected': { user: User; session: Session };
  /** A password was changed by its user (change-password, PATCH) or by an admin (`actor` is then someone else). */
  'password.changed': { user: User; actor: User | null };
  /** A password-reset link was asked for a known, active account (unknown emails emit nothing). */
  'password.reset_requested': { user: User };
  /** A password was set through a reset link. */
  'password.reset': { user: User };
  /** The account's email changed from `previous_email`; `user.email_verified` is now false. */
  'email.changed': { user: User; previous_email: string; actor: User | null };
  /** A verification link for the user's current address was confirmed. */
  'email.verified': { user: User };
  /** A mail was given up after its last attempt (never a body: it may hold a link). */
  'mail.failed': { kind: string; to: string; attempts: number; error: string };
  /** A login refused after the lockout let it through; `user` is null for an unknown identifier. */
  'login.failed': { user: User | null; reason: LoginFailureReason; client: ClientInfo };
  /**
   * A login refused by the lockout (429) before its password was checked. `account` is the
   * lockout's opaque key of the account tried (docs/guides/security.md "Lockout").
   */
  'login.locked': { user: User | null; account: string; retry_after_seconds: number; client: ClientInfo };
  /** After the `user.created` of each user of one bulk create, in the same transaction. */
  'users.bulk_created': { users: User[]; actor: User | null };
  /** An export started streaming; `filters` are the audit export's (empty for users). */
  'export.run': { actor: User | null; export: ExportKind; format: 'csv' | 'json'; filters: Record<string, string | number> };
  /**
   * An audit row was written, in the transaction of the change it records: hooks may copy it
   * in that transaction (or veto the change), listeners ship it after commit
   * (docs/reference/routes.md "Audit events").
   */
  'audit.recorded': AuditEvent;
}

export type CoreEventName = keyof CoreEvents;

/** What a hook may use besides the payload. */
export interface HookContext {
  /** The request id when the change came over HTTP. */
  readonly requestId?: string;
  /**
   * Runs SQL inside the change's transaction (named `:replacements`), so a hook's own writes
   * commit or roll back with it.
   */
  query<T = Record<string, unknown>>(sql: string, replacements?: Record<string, unknown>): Promise<T[]>;
}

/** A hook of event `E`: runs in the change's transaction; throw to veto. */
export type CoreHook<E extends CoreEventName> = (payload: CoreEvents[E], context: HookContext) => void | Promise<void>;

/** A listener of event `E`: runs after commit. */
export type CoreListener<E extends CoreEventName> = (payload: CoreEvents[E]) => void | Promise<void>;

/** `createCore({ hooks })`: one function or several per event, run in order. */
export type CoreHooks = { [E in CoreEventName]?: CoreHook<E> | readonly CoreHook<E>[] };

/** What `core.events` offers hosts: subscribe to events after commit. */
export interface CoreEventSource {
  /** Calls `listener` after each committed `event`; returns a function that unsubscribes. */
  on<E extends CoreEventName>(event: E, listener: CoreListener<E>): () => void;
}
