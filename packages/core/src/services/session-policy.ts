import type { Session } from '../domain/types';
import type { SessionRefreshState } from '../repositories/session-repository';

const DAY_MS = 86_400_000;

/**
 * How long after a rotation the spent token may come back without ending the session: a
 * client whose response was lost retries with the token it still has, and gets 401 (never a
 * second pair) instead of losing the session (docs/reference/routes.md "Refresh").
 */
export const REFRESH_RETRY_WINDOW_MS = 10_000;

/** `last_used_at` is written at most this often per session (docs/decisions.md "Accounts and sessions"). */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** What {@link judgeRefresh} makes of a presented refresh token. */
export type RefreshVerdict =
  /** The session's current token: rotate it. */
  | 'rotate'
  /** The token the last rotation spent, within the retry window: 401, the session lives on. */
  | 'retry'
  /** A spent token otherwise: someone replayed it; end the session. */
  | 'reuse'
  /** Not a token this session's state can account for: 401. */
  | 'invalid';

/**
 * Classifies an authentic refresh token of an active session by its generation and secret's
 * hash against the session's refresh state.
 */
export function judgeRefresh(
  presented: { generation: number; hash: string },
  state: SessionRefreshState,
  now: Date,
): RefreshVerdict {
  const current = state.refresh_generation;
  if (state.refresh_token_hash === null || presented.generation > current) return 'invalid';
  if (presented.generation === current) return presented.hash === state.refresh_token_hash ? 'rotate' : 'invalid';
  const justSpent =
    presented.generation === current - 1 &&
    presented.hash === state.previous_refresh_hash &&
    state.rotated_at !== null &&
    now.getTime() - state.rotated_at.getTime() <= REFRESH_RETRY_WINDOW_MS;
  return justSpent ? 'retry' : 'reuse';
}

/**
 * The lifetimes of a session (`SESSION_IDLE_DAYS`, `SESSION_MAX_DAYS`): it ends when unused
 * for the idle lifetime, and at the absolute lifetime after login however much it is used.
 * `expires_at` always holds the earlier of the two deadlines: when the session ends if unused.
 */
export class SessionPolicy {
  private readonly idleMs: number;
  private readonly maxMs: number;

  constructor(lifetimes: { idleDays: number; maxDays: number }) {
    this.idleMs = lifetimes.idleDays * DAY_MS;
    this.maxMs = lifetimes.maxDays * DAY_MS;
  }

  /** The deadlines of a session opened at `now`. */
  open(now: Date): { expires_at: Date; absolute_expires_at: Date } {
    const absolute = new Date(now.getTime() + this.maxMs);
    return { expires_at: this.extended({ absolute_expires_at: absolute }, now), absolute_expires_at: absolute };
  }

  /** The `expires_at` of a session used at `now`: the idle deadline, capped by the absolute one. */
  extended(session: Pick<Session, 'absolute_expires_at'>, now: Date): Date {
    return new Date(Math.min(now.getTime() + this.idleMs, session.absolute_expires_at.getTime()));
  }

  /** True when a request at `now` should record use (never used, or last used a minute or more ago). */
  needsTouch(session: Pick<Session, 'last_used_at'>, now: Date): boolean {
    return session.last_used_at === null || now.getTime() - session.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS;
  }
}

/** Whole seconds from `now` until `at`, never negative. */
export function secondsUntil(at: Date, now: Date): number {
  return Math.max(0, Math.floor((at.getTime() - now.getTime()) / 1000));
}
