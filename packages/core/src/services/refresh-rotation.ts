import type { Session, User } from '../domain/types';
import { authenticationError, inactiveUserError, type AppError } from '../errors/app-error';
import type { EventBus } from '../events/event-bus';
import type { SessionRepository } from '../repositories/session-repository';
import { RefreshTokenCodec, type RefreshTokenParts } from '../security/refresh-token-codec';
import type { TokenService } from '../security/token-service';
import { judgeRefresh, secondsUntil, type SessionPolicy } from './session-policy';

/** Refresh tokens that cannot be spent: malformed, forged, or unknown to their session. */
export const INVALID_REFRESH_TOKEN = 'Invalid refresh token';
/** A spent refresh token presented again within the retry window, or a refresh that lost a race. */
export const REFRESH_TOKEN_USED = 'Refresh token already used';
/** A spent refresh token presented outside the retry window: the session has just been ended. */
export const REFRESH_TOKEN_REUSED = 'Refresh token already used; the session has been ended';

/**
 * What a login or a refresh returns; the HTTP layer maps it to the `Token` body
 * (docs/reference/routes.md "Schemas").
 */
export interface SessionTokens {
  accessToken: string;
  tokenType: 'bearer';
  /** Access-token lifetime in seconds. */
  expiresIn: number;
  /** Opaque, single use: `refresh` spends it for a new pair. */
  refreshToken: string;
  /** Seconds until the session ends if unused. */
  refreshExpiresIn: number;
  user: User;
  session: Session;
}

/** How a refresh ended inside its transaction; the caller throws refusals after commit. */
export type RefreshOutcome =
  | { kind: 'rotated'; user: User; session: Session; generation: number }
  | { kind: 'refused'; error: AppError }
  | { kind: 'reused'; userId: number };

/** What {@link rotateRefreshToken} and {@link issueSessionTokens} work with. */
export interface RefreshDeps {
  sessions: SessionRepository;
  events: EventBus;
  codec: RefreshTokenCodec;
  policy: SessionPolicy;
  tokens: TokenService;
}

const refused = (message: string): RefreshOutcome => ({ kind: 'refused', error: authenticationError(message) });

/**
 * The refresh decision, run inside the refresh's unit of work: authenticity (MAC, bound to
 * the session's jti), the session's state, then {@link judgeRefresh}. A reuse ends the session
 * and emits `session.reuse_detected` and `session.ended` here, so they commit together; a
 * rotation is the conditional UPDATE of {@link SessionRepository.rotate}, whose loser is
 * answered like a retry.
 */
export async function rotateRefreshToken(
  deps: RefreshDeps,
  parts: RefreshTokenParts,
  next: { hash: string; now: Date },
): Promise<RefreshOutcome> {
  const { sessions, events, codec, policy } = deps;
  const { now } = next;
  const found = await sessions.findForRefresh(parts.sessionId);
  if (!found || !codec.isAuthentic(parts, found.session.jti)) return refused(INVALID_REFRESH_TOKEN);
  const { session, user, refresh } = found;
  if (!session.is_active || session.expires_at.getTime() <= now.getTime()) return refused('Session is not active');
  const verdict = judgeRefresh({ generation: parts.generation, hash: RefreshTokenCodec.hash(parts.secret) }, refresh, now);
  if (verdict === 'invalid') return refused(INVALID_REFRESH_TOKEN);
  if (verdict === 'retry') return refused(REFRESH_TOKEN_USED);
  if (verdict === 'reuse') {
    await sessions.revoke(user.id, session.id);
    await events.emit('session.reuse_detected', { user, session });
    await events.emit('session.ended', { user_id: user.id, session_ids: [session.id], reason: 'refresh_reuse', actor: null });
    return { kind: 'reused', userId: user.id };
  }
  if (!user.is_active) return { kind: 'refused', error: inactiveUserError() };
  const expiresAt = policy.extended(session, now);
  const generation = refresh.refresh_generation + 1;
  const fromHash = refresh.refresh_token_hash!;
  const rotated = await sessions.rotate({ sessionId: session.id, fromHash, toHash: next.hash, generation, now, expiresAt });
  // Lost to a concurrent refresh with the same token, which got the one new pair.
  if (!rotated) return refused(REFRESH_TOKEN_USED);
  const updated: Session = { ...session, expires_at: expiresAt, last_used_at: now };
  await events.emit('session.refreshed', { user, session: updated });
  return { kind: 'rotated', user, session: updated, generation };
}

/** The `Token` of a session: a fresh access token and the refresh token of `refresh.generation`. */
export function issueSessionTokens(
  deps: Pick<RefreshDeps, 'tokens' | 'codec'>,
  grant: { user: User; session: Session; secret: string; generation: number; now: Date },
): SessionTokens {
  const { user, session, secret, generation, now } = grant;
  const access = deps.tokens.issue({
    userId: user.id,
    sessionId: session.id,
    // The login's first access token carries the session's own jti (the row's identifier).
    jti: generation === 0 ? session.jti : undefined,
    notAfter: session.absolute_expires_at,
  });
  return {
    accessToken: access.token,
    tokenType: 'bearer',
    expiresIn: access.expiresIn,
    refreshToken: deps.codec.encode({ sessionId: session.id, generation, familyId: session.jti, secret }),
    refreshExpiresIn: secondsUntil(session.expires_at, now),
    user,
    session,
  };
}
