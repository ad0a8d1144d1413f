import type { Session, User } from '../domain/types';

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
