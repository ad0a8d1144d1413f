import { silentLogger } from '../logger/logger';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { resolveConfig, type CoreOptions } from '../config/options';
import { createCache } from './create-cache';
import { DisabledCache } from './disabled-cache';
import { MemoryCache } from './memory-cache';
import { RedisCache } from './redis-cache';

const config = (options: CoreOptions) => resolveConfig({ environment: 'test', logger: silentLogger, ...options });

describe('createCache', () => {
  it('makes a memory cache of cacheMaxEntries when no Redis is configured', async () => {
    const cache = createCache(config({ cacheMaxEntries: 1 }));
    expect(cache).to.be.instanceOf(MemoryCache);
    await cache.set('a', 1, 60);
    await cache.set('b', 2, 60);
    expect(await cache.get('a')).to.equal(undefined);
    await cache.close();
  });

  it('makes a Redis cache when redis.url or redis.cacheUrl is set', async () => {
    for (const redis of [{ url: 'redis://127.0.0.1:1/0' }, { cacheUrl: 'redis://127.0.0.1:1/0' }]) {
      const cache = createCache(config({ redis }));
      expect(cache).to.be.instanceOf(RedisCache);
      await cache.close();
    }
  });

  it('ignores redis.limiterUrl', async () => {
    const cache = createCache(config({ redis: { limiterUrl: 'redis://127.0.0.1:1/0' } }));
    expect(cache.backend).to.equal('memory');
    await cache.close();
  });

  it('makes a disabled cache when cacheEnabled is false, Redis or not', async () => {
    const cache = createCache(config({ cacheEnabled: false, redis: { url: 'redis://127.0.0.1:1/0' } }));
    expect(cache).to.be.instanceOf(DisabledCache);
    expect(cache.backend).to.equal('none');
    await cache.close();
  });

  it('gives every call its own store', async () => {
    const first = createCache(config({}));
    const second = createCache(config({}));
    await first.set('k', 'first', 60);
    expect(await second.get('k')).to.equal(undefined);
    await Promise.all([first.close(), second.close()]);
  });
});

describe('DisabledCache', () => {
  describe('get', () => {
    it('misses even right after a set, and reports healthy', async () => {
      const cache = new DisabledCache();
      await cache.set('k', { v: 1 }, 60);
      expect(await cache.get('k')).to.equal(undefined);
      await cache.delete('k');
      expect(await cache.check()).to.equal(true);
      await cache.close();
    });
  });
});
