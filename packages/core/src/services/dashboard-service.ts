import { inject, injectable } from 'inversify';
import { CACHE, cacheKeys, type Cache } from '../cache/cache';
import { CLOCK, type Clock } from '../clock/clock';
import { CORE_CONFIG, type CoreConfig } from '../config/options';
import type { DashboardStats } from '../domain/types';
import { USER_REPOSITORY, type UserRepository } from '../repositories/user-repository';

/** How long the stats stay in the cache. */
export const DASHBOARD_STATS_TTL_SECONDS = 60;

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** The dashboard figures (docs/reference/routes.md "Dashboard"), computed in one aggregate query and cached 60 s. */
@injectable()
export class DashboardService {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(CACHE) private readonly cache: Cache,
    @inject(CORE_CONFIG) private readonly config: CoreConfig,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The stats from the shared cache key when present, else freshly computed and stored for
   * 60 s. `cached` tells the HTTP layer whether to say `X-Cache: HIT`. A cache outage is a miss.
   *
   * The store is an unconditional `set`, not the tombstone-respecting `add` the per-user
   * responses use: every registration invalidates this key, so honouring tombstones would
   * leave the dashboard uncached on any busy system, against SPEC's 60 s cache. The price is
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
