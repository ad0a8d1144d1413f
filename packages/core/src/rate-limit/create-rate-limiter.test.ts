import { silentLogger } from '../logger/logger';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { resolveConfig, type CoreOptions } from '../config/options';
import { createRateLimiter } from './create-rate-limiter';
import { DisabledRateLimiter } from './disabled-rate-limiter';
import { MemoryRateLimiter } from './memory-rate-limiter';
import { RedisRateLimiter } from './redis-rate-limiter';

const config = (options: CoreOptions) => resolveConfig({ environment: 'test', logger: silentLogger, ...options });
const rule = { limit: 1, windowMs: 60_000 };

describe('createRateLimiter', () => {
  it('makes a memory limiter when no Redis is configured', async () => {
    const limiter = createRateLimiter(config({}));
    expect(limiter).to.be.instanceOf(MemoryRateLimiter);
    await limiter.close();
  });

  it('makes a Redis limiter when redis.url or redis.limiterUrl is set', async () => {
    for (const redis of [{ url: 'redis://127.0.0.1:1/0' }, { limiterUrl: 'redis://127.0.0.1:1/0' }]) {
      const limiter = createRateLimiter(config({ redis }));
      expect(limiter).to.be.instanceOf(RedisRateLimiter);
      await limiter.close();
    }
  });

  it('ignores redis.cacheUrl', async () => {
    const limiter = createRateLimiter(config({ redis: { cacheUrl: 'redis://127.0.0.1:1/0' } }));
    expect(limiter).to.be.instanceOf(MemoryRateLimiter);
    await limiter.close();
  });

  it('makes a disabled limiter when limiterEnabled is false, Redis or not', async () => {
    const limiter = createRateLimiter(config({ limiterEnabled: false, redis: { url: 'redis://127.0.0.1:1/0' } }));
    expect(limiter).to.be.instanceOf(DisabledRateLimiter);
    expect(limiter.backend).to.equal('none');
    await limiter.close();
  });

  it('gives every call its own counters', async () => {
    const first = createRateLimiter(config({}));
    const second = createRateLimiter(config({}));
    await first.consume('ip', rule);
    expect(await second.consume('ip', rule)).to.include({ allowed: true, count: 1 });
    await Promise.all([first.close(), second.close()]);
  });
});

describe('DisabledRateLimiter', () => {
  describe('consume', () => {
    it('allows every hit and counts nothing', async () => {
      const limiter = new DisabledRateLimiter();
      for (let i = 0; i < 5; i += 1) {
        expect(await limiter.consume('ip', rule)).to.deep.equal({
          allowed: true,
          limit: 1,
          remaining: 1,
          resetSeconds: 0,
          retryAfterSeconds: 0,
          count: 0,
        });
      }
      expect((await limiter.peek('ip', rule)).allowed).to.equal(true);
      expect(await limiter.check()).to.equal(true);
      await limiter.close();
    });
  });
});
