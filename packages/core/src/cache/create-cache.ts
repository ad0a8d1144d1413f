import type { CoreConfig } from '../config/options';
import type { Cache } from './cache';
import { DisabledCache } from './disabled-cache';
import { MemoryCache } from './memory-cache';
import { RedisCache } from './redis-cache';

/** The part of {@link CoreConfig} that {@link createCache} reads. */
export type CacheConfig = Pick<CoreConfig, 'cacheEnabled' | 'cacheMaxEntries' | 'redis' | 'logger'>;

/**
 * Builds the cache a core uses: {@link DisabledCache} when `cacheEnabled` is false, a
 * {@link RedisCache} when `redis.cacheUrl` (or else `redis.url`) is set, otherwise a
 * {@link MemoryCache} of `cacheMaxEntries`. Every call makes a new instance, so two cores
 * in one process share nothing; the caller closes it.
 *
 * @example
 * const cache = createCache(resolveConfig({ redis: { url: 'redis://localhost:6379/0' } }));
 */
export function createCache(config: CacheConfig): Cache {
  if (!config.cacheEnabled) return new DisabledCache();
  const url = config.redis.cacheUrl ?? config.redis.url;
  if (url) return new RedisCache({ url, keyPrefix: config.redis.keyPrefix, logger: config.logger });
  return new MemoryCache({ maxEntries: config.cacheMaxEntries });
}
