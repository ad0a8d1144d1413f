import type { NewSession, Session, User } from '../domain/types';

/** Data access for sessions: no rules. Joins the ambient unit-of-work transaction. */
export interface SessionRepository {
  create(session: NewSession): Promise<Session>;
  /**
   * The session with this jti if it is active and unexpired at `now`, together with its
   * user, in one query.
   */
  findActiveByJti(jti: string, now: Date): Promise<{ session: Session; user: User } | null>;
  /** Revokes one session of one user; false when no such active session exists. */
  revoke(userId: number, sessionId: number): Promise<boolean>;
  /** Revokes by jti; false when it was not active. */
  revokeByJti(jti: string): Promise<boolean>;
  /** Revokes every active session of a user except `exceptSessionId`; returns their ids. */
  revokeAllForUser(userId: number, exceptSessionId?: number): Promise<number[]>;
  /** The user's active, unexpired sessions, newest first. */
  listActiveForUser(userId: number, now: Date): Promise<Session[]>;
  /** Deletes sessions expired before `now` or revoked; returns how many. */
  purgeExpired(now: Date): Promise<number>;
}

export const SESSION_REPOSITORY = Symbol.for('app.SessionRepository');
