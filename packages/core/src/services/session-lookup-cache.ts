import { cacheKeys, type Cache } from '../cache/cache';
import type { SessionWithUser } from '../repositories/session-repository';
import { LAST_USED_RESOLUTION_MS } from './session-policy';

/** The longest a session lookup stays cached; a touch that falls due ends it sooner. */
export const SESSION_LOOKUP_TTL_SECONDS = 60;

/** A cached lookup: the session and user rows as JSON, and which of their fields were Dates. */
type Stored = { session: Record<string, unknown>; user: Record<string, unknown>; dates: { session: string[]; user: string[] } };

/** What {@link SessionLookupCache.read} answers: a hit, or the stamp a fill must use. */
export type LookupRead = { hit: SessionWithUser } | { hit?: undefined; stamp: string | undefined };

/**
 * The authenticated hot path's cache (docs/guides/scaling.md "Sessions are revoked everywhere
 * at once"): the active session of a token's `sid` with its user, under the version of the
 * user's scope. Every change that can refuse a token bumps that scope after commit: logout,
 * logout-all, revoking a session, an admin ending sessions, a refresh-token reuse, a password
 * change or reset, deactivation, deletion, promotion or demotion, and any other update of the
 * user. On Redis the version is shared, so the next request on every instance misses and
 * reads the rows; a fill that read before the change lands under the old version, unread.
 *
 * An entry never outlives the session's `expires_at`, nor the minute after which its use must
 * be recorded again (so `last_used_at` keeps its one write a minute). Only active sessions of
 * active users are stored.
 */
export class SessionLookupCache {
  /**
   * Revived lookups by the cached value they came from. The memory cache answers every hit
   * with one shared, frozen value, so a hit there revives nothing; Redis parses a fresh value
   * each time, which is revived and never looked up again.
   */
  private readonly revived = new WeakMap<Stored, SessionWithUser>();

  constructor(private readonly cache: Cache) {}

  /** The cached lookup of `sessionId`, when present, still unexpired and the token's user's. */
  async read(sessionId: number, userId: number, now: Date): Promise<LookupRead> {
    const read = await this.cache
      .getVersioned<Stored>(cacheKeys.session(sessionId), [cacheKeys.userScope(userId)])
      .catch(() => ({ value: undefined, stamp: undefined }));
    const hit = read.value && (this.revived.get(read.value) ?? this.revive(read.value));
    if (hit && hit.session.id === sessionId && hit.session.user_id === userId && hit.session.expires_at > now) return { hit };
    return { stamp: read.stamp };
  }

  /** Stores the lookup as of `stamp` (read before the rows were), for as long as it holds. */
  async store(stamp: string | undefined, found: SessionWithUser, now: Date): Promise<void> {
    if (stamp === undefined || !found.session.is_active || !found.user.is_active) return;
    const untilTouch = found.session.last_used_at ? found.session.last_used_at.getTime() + LAST_USED_RESOLUTION_MS : 0;
    const ttlMs = Math.min(SESSION_LOOKUP_TTL_SECONDS * 1000, found.session.expires_at.getTime() - now.getTime(), untilTouch - now.getTime());
    if (!(ttlMs >= 1000)) return;
    const stored: Stored = { session: { ...found.session }, user: { ...found.user }, dates: { session: dateFields(found.session), user: dateFields(found.user) } };
    await this.cache.setVersioned(cacheKeys.session(found.session.id), stamp, stored, ttlMs / 1000).catch(() => undefined);
  }

  /** The rows of a cached value with their Dates back (the cached value itself may be frozen). */
  private revive(stored: Stored): SessionWithUser | undefined {
    if (typeof stored !== 'object' || typeof stored.session !== 'object' || typeof stored.user !== 'object' || !stored.dates) return undefined;
    const hit = { session: withDates(stored.session, stored.dates.session), user: withDates(stored.user, stored.dates.user) } as unknown as SessionWithUser;
    if (Object.isFrozen(stored)) this.revived.set(stored, hit);
    return hit;
  }
}

/** The names of the row's Date fields, revived after the JSON round trip (the rows are flat). */
function dateFields(row: object): string[] {
  return Object.entries(row).flatMap(([name, value]) => (value instanceof Date ? [name] : []));
}

/** A row with its Date fields back, frozen: a memory-cache hit shares it with later hits. */
function withDates(row: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const copy = { ...row };
  for (const name of names) if (typeof copy[name] === 'string') copy[name] = new Date(copy[name] as string);
  return Object.freeze(copy);
}
