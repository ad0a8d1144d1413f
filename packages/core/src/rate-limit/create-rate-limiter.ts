import type { CoreConfig } from '../config/options';
import { DisabledRateLimiter } from './disabled-rate-limiter';
import { MemoryRateLimiter } from './memory-rate-limiter';
import type { RateLimiter } from './rate-limiter';
import { RedisRateLimiter } from './redis-rate-limiter';

/** The part of {@link CoreConfig} that {@link createRateLimiter} reads. */
export type RateLimiterConfig = Pick<CoreConfig, 'limiterEnabled' | 'redis' | 'logger'>;

/**
 * Builds the rate limiter a core uses: {@link DisabledRateLimiter} when `limiterEnabled` is
 * false, a {@link RedisRateLimiter} when `redis.limiterUrl` (or else `redis.url`) is set,
 * otherwise a {@link MemoryRateLimiter}. Every call makes a new instance, so two cores in
 * one process share nothing; the caller closes it.
 *
 * @example
 * const limiter = createRateLimiter(resolveConfig({ redis: { url: 'redis://localhost:6379/0' } }));
 */
export function createRateLimiter(config: RateLimiterConfig): RateLimiter {
  if (!config.limiterEnabled) return new DisabledRateLimiter();
  const url = config.redis.limiterUrl ?? config.redis.url;
  if (url) return new RedisRateLimiter({ url, keyPrefix: config.redis.keyPrefix, logger: config.logger });
  return new MemoryRateLimiter();
}
