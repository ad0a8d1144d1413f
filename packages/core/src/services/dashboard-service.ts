import { setTimeout as sleep } from 'node:timers/promises';
import { inject, injectable } from 'inversify';
import { CACHE, cacheKeys, type Cache, type VersionedRead } from '../cache/cache';
import { CLOCK, type Clock } from '../clock/clock';
import { CORE_CONFIG, type CoreConfig } from '../config/options';
import type { DashboardStats } from '../domain/types';
import { EVENT_BUS, type EventBus } from '../events/event-bus';
import { USER_REPOSITORY, type UserRepository } from '../repositories/user-repository';
import { validate } from '../schemas/input';
import { signupsQuerySchema, type Signups, type SignupsInput } from '../schemas/signups';

/** How long the stats stay in the cache. */
export const DASHBOARD_STATS_TTL_SECONDS = 60;
/**
 * How long one instance holds the right to compute the stats for the others (a Redis
 * `SET NX` lock); past it, a waiting instance computes by itself.
 */
export const DASHBOARD_LOCK_SECONDS = 5;
/** How often an instance waiting on another's computation looks for its result. */
const LOCK_POLL_MS = 25;

const DAY_MS = 24 * 60 * 60 * 1000;
const WEEK_MS = 7 * DAY_MS;

/** How long a signups series stays in the cache. */
export const SIGNUPS_TTL_SECONDS = 60;

type StatsRead = { stats: DashboardStats; cached: boolean };

/**
 * The dashboard figures (docs/reference/routes.md "Dashboard"): the stats and the signups per
 * day, each computed in one aggregate query and cached 60 s under the versions of the
 * `dashboard` scope, which every change to the set of users bumps (the next read refills).
 */
@injectable()
export class DashboardService {
  /** Stats computations running in this process, by the stamp they fill. */
  private readonly inflight = new Map<string, Promise<StatsRead>>();

  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(CACHE) private readonly cache: Cache,
    @inject(CORE_CONFIG) private readonly config: CoreConfig,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(EVENT_BUS) events: EventBus,
  ) {
    // After commit, whatever the path that created or deleted users (import, bulk, register),
    // the dashboard scope moves: the next read misses and computes afresh.
    const bump = () => void this.cache.bump(cacheKeys.dashboardScope()).catch(() => undefined);
    events.on('user.created', ({ source }) => (source === 'bulk' ? undefined : bump()));
    events.on('users.bulk_created', bump);
    events.on('user.deleted', bump);
  }

  /**
   * New users per UTC day for the last `days` days (1–365, default 30), today included,
   * oldest first, zero-count days filled in; from one aggregate query, cached 60 s (the
   * next read after a change to the set of users is fresh). `cached` tells the HTTP layer
   * whether to say `X-Cache: HIT`.
   *
   * @throws AppError `validation_error` (422) for `days` outside 1–365.
   */
  async getSignups(query: SignupsInput = {}): Promise<{ signups: Signups; cached: boolean }> {
    const { days } = await validate(signupsQuerySchema, query);
    const now = this.clock.now();
    const today = utcMidnight(now);
    const start = new Date(today.getTime() - (days - 1) * DAY_MS);
    // Keyed by the last day too, so a series cached before midnight is not served after it.
    const key = `dashboard:signups:${days}:${isoDay(today)}`;
    const read = this.config.cacheEnabled ? await this.readVersioned<Signups>(key) : undefined;
    if (read?.value) return { signups: read.value, cached: true };
    const rows = await this.users.signupsPerDay({ start, end: new Date(today.getTime() + DAY_MS) });
    const counts = new Map(rows.map((row) => [row.date, row.count]));
    const signups: Signups = {
      days: Array.from({ length: days }, (_, index) => {
        const date = isoDay(new Date(start.getTime() + index * DAY_MS));
        return { date, count: counts.get(date) ?? 0 };
      }),
    };
    if (read?.stamp) await this.cache.setVersioned(key, read.stamp, signups, SIGNUPS_TTL_SECONDS).catch(() => undefined);
    return { signups, cached: false };
  }

  /**
   * The stats from the cache when present, else computed once for everybody: concurrent
   * misses in this process share one computation (single flight), and across instances
   * sharing Redis one instance takes a short lock ({@link DASHBOARD_LOCK_SECONDS}) and
   * computes while the others wait for its result (docs/guides/scaling.md). `cached` tells
   * the HTTP layer whether to say `X-Cache: HIT`. A cache outage is a miss.
   */
  async getStats(): Promise<StatsRead> {
    if (!this.config.cacheEnabled) return { stats: await this.computeStats(), cached: false };
    const read = await this.readVersioned<DashboardStats>(cacheKeys.dashboardStats());
    if (read?.value) return { stats: read.value, cached: true };
    const stamp = read?.stamp ?? '';
    let flight = this.inflight.get(stamp);
    if (!flight) {
      flight = (read?.stamp ? this.fillStats(read.stamp) : this.computeFresh()).finally(() => this.inflight.delete(stamp));
      this.inflight.set(stamp, flight);
    }
    return flight;
  }

  /** Takes the lock of this stamp and computes, or waits for the instance that holds it. */
  private async fillStats(stamp: string): Promise<StatsRead> {
    const key = cacheKeys.dashboardStats();
    const lock = `${key}:lock@${stamp}`;
    const deadline = Date.now() + DASHBOARD_LOCK_SECONDS * 1000;
    while (!(await this.cache.add(lock, true, DASHBOARD_LOCK_SECONDS).catch(() => false))) {
      if (Date.now() > deadline) return this.computeFresh();
      await sleep(LOCK_POLL_MS);
      const again = await this.readVersioned<DashboardStats>(key);
      if (again?.value) return { stats: again.value, cached: true };
      // A change moved the scope meanwhile, or the store went away: compute for the new state.
      if (again?.stamp !== stamp) return again?.stamp ? this.fillStats(again.stamp) : this.computeFresh();
    }
    try {
      const stats = await this.computeStats();
      await this.cache.setVersioned(key, stamp, stats, DASHBOARD_STATS_TTL_SECONDS).catch(() => undefined);
      return { stats, cached: false };
    } finally {
      await this.cache.delete(lock).catch(() => undefined);
    }
  }

  private async computeFresh(): Promise<StatsRead> {
    return { stats: await this.computeStats(), cached: false };
  }

  private async readVersioned<T>(key: string): Promise<VersionedRead<T> | undefined> {
    return this.cache.getVersioned<T>(key, [cacheKeys.dashboardScope()]).catch(() => undefined);
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
