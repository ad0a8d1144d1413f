import type { NewSession, Session, User } from '../domain/types';

/** A session together with its user, read in one query. */
export interface SessionWithUser {
  session: Session;
  user: User;
}

/**
 * Where a session's refresh-token family stands. Only the repository and the auth service see
 * it: it is never part of a `Session` handed to hooks, events or responses.
 */
export interface SessionRefreshState {
  /** SHA-256 of the secret of the current refresh token; null for rows older than refresh families. */
  refresh_token_hash: string | null;
  /** SHA-256 of the token the last rotation spent. */
  previous_refresh_hash: string | null;
  /** Rotations so far; the current token was minted with this generation. */
  refresh_generation: number;
  /** When the last rotation happened. */
  rotated_at: Date | null;
}

/** A session, its user and its refresh state: what a refresh decides on. */
export interface RefreshableSession extends SessionWithUser {
  refresh: SessionRefreshState;
}

/** One rotation of a session's refresh token, applied only if `fromHash` is still current. */
export interface SessionRotation {
  sessionId: number;
  fromHash: string;
  toHash: string;
  /** The generation of the new token. */
  generation: number;
  now: Date;
  /** The session's new `expires_at` (its idle deadline capped by the absolute one). */
  expiresAt: Date;
}

/** Data access for sessions: no rules. Joins the ambient unit-of-work transaction. */
export interface SessionRepository {
  create(session: NewSession): Promise<Session>;
  /** The session with this id if it is active and unexpired at `now`, with its user, in one query. */
  findActive(sessionId: number, now: Date): Promise<SessionWithUser | null>;
  /** The session with this id whatever its state, with its user and refresh state, in one query. */
  findForRefresh(sessionId: number): Promise<RefreshableSession | null>;
  /**
   * Rotates the refresh token with one conditional UPDATE (`… WHERE id = ? AND
   * refresh_token_hash = fromHash AND is_active`): true only for the one caller whose
   * `fromHash` was current, however many race.
   */
  rotate(rotation: SessionRotation): Promise<boolean>;
  /**
   * Records use: sets `last_used_at = now` and `expires_at` only when the session is active and
   * was last used at or before `usedBefore` (or never); false when nothing was written.
   */
  touch(sessionId: number, touch: { now: Date; expiresAt: Date; usedBefore: Date }): Promise<boolean>;
  /** Revokes one session of one user; false when no such active session exists. */
  revoke(userId: number, sessionId: number): Promise<boolean>;
  /** Revokes every active session of a user except `exceptSessionId`; returns their ids. */
  revokeAllForUser(userId: number, exceptSessionId?: number): Promise<number[]>;
  /** The user's active, unexpired sessions, newest first. */
  listActiveForUser(userId: number, now: Date): Promise<Session[]>;
  /** Deletes sessions expired before `now` or revoked; returns how many. */
  purgeExpired(now: Date): Promise<number>;
}

export const SESSION_REPOSITORY = Symbol.for('app.SessionRepository');
