import { inject, injectable } from 'inversify';
import { CACHE, type Cache } from '../cache/cache';
import { CORE_CONFIG, type CoreConfig } from '../config/options';
import { DATABASE_INFO, type DatabaseInfo } from '../database/database-info';
import type { CheckStatus, HealthReport } from '../domain/types';
import { RATE_LIMITER, type RateLimiter } from '../rate-limit/rate-limiter';

/** Longest a single check may take before it counts as down, so /health answers fast. */
export const HEALTH_CHECK_TIMEOUT_MS = 1000;

type PortCheck = { status: CheckStatus; backend: 'redis' | 'memory' | 'none' };

/** Resolves true when `probe` succeeds in time, false when it fails, hangs or returns false. */
async function probeWithin(probe: () => Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const attempt = (async () => (await probe()) !== false)().catch(() => false);
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The `/health` report (docs/reference/routes.md "Health"). The database decides `unhealthy` (HTTP 503); a Redis-backed
 * cache or limiter that is down only makes the report `degraded` while memory serves.
 * Disabled ports report `disabled` with backend `none`. Errors are swallowed on purpose:
 * driver messages can carry hosts and credentials and never reach the body.
 */
@injectable()
export class HealthService {
  constructor(
    @inject(DATABASE_INFO) private readonly database: DatabaseInfo,
    @inject(CACHE) private readonly cache: Cache,
    @inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @inject(CORE_CONFIG) private readonly config: CoreConfig,
  ) {}

  /** Runs the three checks in parallel, each bounded by {@link HEALTH_CHECK_TIMEOUT_MS}. */
  async check(): Promise<HealthReport> {
    const redis = this.config.redis;
    const [databaseUp, cache, limiter] = await Promise.all([
      probeWithin(() => this.database.ping(), HEALTH_CHECK_TIMEOUT_MS),
      this.checkPort(this.config.cacheEnabled, this.cache, redis.cacheUrl ?? redis.url),
      this.checkPort(this.config.limiterEnabled, this.limiter, redis.limiterUrl ?? redis.url),
    ]);
    const status = !databaseUp
      ? 'unhealthy'
      : cache.status === 'unhealthy' || limiter.status === 'unhealthy'
        ? 'degraded'
        : 'healthy';
    return {
      status,
      app_name: this.config.appName,
      version: this.config.appVersion,
      checks: {
        database: { status: databaseUp ? 'healthy' : 'unhealthy', provider: this.database.provider },
        cache,
        rate_limiter: limiter,
      },
    };
  }

  /**
   * Per port (`cache`, `rate_limiter`): true while it is configured on Redis but not served
   * by it (the limiter counting in its memory fallback, the cache answering misses), for
   * `app_backend_fallback`. A port on memory or disabled is never falling back.
   */
  async fallbacks(): Promise<Record<'cache' | 'rate_limiter', boolean>> {
    const redis = this.config.redis;
    const fallback = async (enabled: boolean, port: Pick<Cache | RateLimiter, 'backend' | 'check'>, redisUrl: string | undefined) => {
      if (!enabled || port.backend === 'none' || (port.backend !== 'redis' && redisUrl === undefined)) return false;
      return port.backend !== 'redis' || !(await probeWithin(() => port.check(), HEALTH_CHECK_TIMEOUT_MS));
    };
    const [cache, limiter] = await Promise.all([
      fallback(this.config.cacheEnabled, this.cache, redis.cacheUrl ?? redis.url),
      fallback(this.config.limiterEnabled, this.limiter, redis.limiterUrl ?? redis.url),
    ]);
    return { cache, rate_limiter: limiter };
  }

  private async checkPort(
    enabled: boolean,
    port: Pick<Cache | RateLimiter, 'backend' | 'check'>,
    redisUrl: string | undefined,
  ): Promise<PortCheck> {
    if (!enabled || port.backend === 'none') return { status: 'disabled', backend: 'none' };
    // A Redis port reports `memory` while it falls back; the check names what is configured.
    const backend = port.backend === 'redis' || redisUrl !== undefined ? 'redis' : 'memory';
    const up = await probeWithin(() => port.check(), HEALTH_CHECK_TIMEOUT_MS);
    return { status: up ? 'healthy' : 'unhealthy', backend };
  }
}
