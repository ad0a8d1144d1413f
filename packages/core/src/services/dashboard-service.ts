import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import { CACHE, cacheKeys, type Cache } from '../cache/cache';
import { CLOCK, type Clock } from '../clock/clock';
import { CORE_CONFIG, type CoreConfig } from '../config/options';
import type { DashboardStats } from '../domain/types';
import { EVENT_BUS, type EventBus } from '../events/event-bus';
import { USER_REPOSITORY, type UserRepository } from '../repositories/user-repository';
import { validate } from '../schemas/input';
import { signupsQuerySchema, type Signups, type SignupsInput } from '../schemas/signups';

/** How long the stats stay in the cache. */
export const DASHBOARD_STATS_TTL_SECONDS = 60;

const DAY_MS = 24 * 60 * 60 * 1000;
const WEEK_MS = 7 * DAY_MS;

/** How long a signups series stays in the cache. */
export const SIGNUPS_TTL_SECONDS = 60;
/** The signups generation key: a change of the set of users moves it, so older series are never read again. */
const SIGNUPS_VERSION_KEY = 'dashboard:signups:version';
/** Outlives every series cached under it. */
const SIGNUPS_VERSION_TTL_SECONDS = 86_400;

/**
 * The dashboard figures (docs/reference/routes.md "Dashboard"): the stats and the signups per
 * day, each computed in one aggregate query and cached 60 s.
 */
@injectable()
export class DashboardService {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(CACHE) private readonly cache: Cache,
    @inject(CORE_CONFIG) private readonly config: CoreConfig,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(EVENT_BUS) events: EventBus,
  ) {
    // After commit, a created or deleted user moves the signups generation: the next read
    // misses and computes afresh, and a fill that read before the change lands under the old
    // generation, which nobody reads again (no tombstone needed).
    const bump = () => void this.bumpSignupsVersion();
    events.on('user.created', ({ source }) => (source === 'bulk' ? undefined : bump()));
    events.on('users.bulk_created', bump);
    events.on('user.deleted', bump);
  }

  /**
   * New users per UTC day for the last `days` days (1–365, default 30), today included,
   * oldest first, zero-count days filled in; from one aggregate query, cached 60 s under a
   * generation key that every created or deleted user moves (so the next read after a change
   * is fresh). `cached` tells the HTTP layer whether to say `X-Cache: HIT`.
   *
   * @throws AppError `validation_error` (422) for `days` outside 1–365.
   */
  async getSignups(query: SignupsInput = {}): Promise<{ signups: Signups; cached: boolean }> {
    const { days } = await validate(signupsQuerySchema, query);
    const now = this.clock.now();
    const today = utcMidnight(now);
    const start = new Date(today.getTime() - (days - 1) * DAY_MS);
    const version = this.config.cacheEnabled ? await this.signupsVersion() : undefined;
    // Keyed by the last day too, so a series cached before midnight is not served after it.
    const key = version && `dashboard:signups:${version}:${days}:${isoDay(today)}`;
    if (key) {
      const hit = await this.cache.get<Signups>(key).catch(() => undefined);
      if (hit) return { signups: hit, cached: true };
    }
    const rows = await this.users.signupsPerDay({ start, end: new Date(today.getTime() + DAY_MS) });
    const counts = new Map(rows.map((row) => [row.date, row.count]));
    const signups: Signups = {
      days: Array.from({ length: days }, (_, index) => {
        const date = isoDay(new Date(start.getTime() + index * DAY_MS));
        return { date, count: counts.get(date) ?? 0 };
      }),
    };
    if (key) await this.cache.add(key, signups, SIGNUPS_TTL_SECONDS).catch(() => false);
    return { signups, cached: false };
  }

  /**
   * The stats from the shared cache key when present, else freshly computed and stored for
   * 60 s. `cached` tells the HTTP layer whether to say `X-Cache: HIT`. A cache outage is a miss.
   *
   * The store is an unconditional `set`, not the tombstone-respecting `add` the per-user
   * responses use: every registration invalidates this key, so honouring tombstones would
   * leave the dashboard uncached on any busy system, against the documented 60 s cache. The price is
   * that figures computed while a write committed may be served for up to the TTL, which is
   * the staleness a 60 s aggregate cache already allows.
   */
  async getStats(): Promise<{ stats: DashboardStats; cached: boolean }> {
    const key = cacheKeys.dashboardStats();
    if (this.config.cacheEnabled) {
      try {
        const hit = await this.cache.get<DashboardStats>(key);
        if (hit !== undefined && hit !== null) return { stats: hit, cached: true };
      } catch {
        // The port reports outages as misses; this guards a misbehaving implementation.
      }
    }
    const stats = await this.computeStats();
    if (this.config.cacheEnabled) {
      try {
        await this.cache.set(key, stats, DASHBOARD_STATS_TTL_SECONDS);
      } catch {
        // Not storing is fine: the next call computes again.
      }
    }
    return { stats, cached: false };
  }

  /** The current signups generation, created when the cache has none (outage: none, no caching). */
  private async signupsVersion(): Promise<string | undefined> {
    try {
      const current = await this.cache.get<string>(SIGNUPS_VERSION_KEY);
      if (typeof current === 'string') return current;
      const fresh = randomUUID();
      // add: of two instances starting a generation at once, both end up on the winner's.
      if (await this.cache.add(SIGNUPS_VERSION_KEY, fresh, SIGNUPS_VERSION_TTL_SECONDS)) return fresh;
      const winner = await this.cache.get<string>(SIGNUPS_VERSION_KEY);
      return typeof winner === 'string' ? winner : undefined;
    } catch {
      return undefined;
    }
  }

  private async bumpSignupsVersion(): Promise<void> {
    if (!this.config.cacheEnabled) return;
    // set, not add: it must replace the current generation (and any tombstone).
    await this.cache.set(SIGNUPS_VERSION_KEY, randomUUID(), SIGNUPS_VERSION_TTL_SECONDS).catch(() => undefined);
  }

  /**
   * The stats straight from the database: "today" starts at 00:00 UTC, "week" is the last
   * 7×24 h.
   */
  async computeStats(now: Date = this.clock.now()): Promise<DashboardStats> {
    const todayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const weekStart = new Date(now.getTime() - WEEK_MS);
    const counts = await this.users.stats({ todayStart, weekStart });
    return {
      total_users: counts.total,
      active_users: counts.active,
      inactive_users: counts.inactive,
      superusers: counts.superusers,
      new_users_today: counts.newToday,
      new_users_week: counts.newWeek,
      timestamp: now.toISOString(),
    };
  }
}

function utcMidnight(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

function isoDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}
