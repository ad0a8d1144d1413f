import { expect } from 'chai';
import { describe, it } from 'mocha';
import { rateLimiterContract } from '../testing/rate-limiter-contract';
import { MemoryRateLimiter } from './memory-rate-limiter';

rateLimiterContract('MemoryRateLimiter', async () => new MemoryRateLimiter());

describe('MemoryRateLimiter', () => {
  const rule = { limit: 2, windowMs: 1000 };

  describe('consume', () => {
    it('forgets the oldest window when maxKeys is reached', async () => {
      const limiter = new MemoryRateLimiter({ maxKeys: 2 });
      await limiter.consume('a', rule);
      await limiter.consume('b', rule);
      await limiter.consume('c', rule);
      expect(limiter.size).to.equal(2);
      expect((await limiter.peek('a', rule)).count).to.equal(0);
      expect((await limiter.peek('b', rule)).count).to.equal(1);
      expect((await limiter.peek('c', rule)).count).to.equal(1);
      await limiter.close();
    });
  });

  describe('sweep', () => {
    it('drops expired windows that nobody hits again', async () => {
      let now = 5_000_000;
      const limiter = new MemoryRateLimiter({ now: () => now });
      await limiter.consume('short', { limit: 1, windowMs: 1000 });
      await limiter.consume('long', { limit: 1, windowMs: 60_000 });
      now += 2000;
      limiter.sweep();
      expect(limiter.size).to.equal(1);
      await limiter.close();
    });
  });

  describe('backend', () => {
    it('is memory and always healthy', async () => {
      const limiter = new MemoryRateLimiter();
      expect(limiter.backend).to.equal('memory');
      expect(await limiter.check()).to.equal(true);
      await limiter.close();
    });
  });
});
