import { expect } from 'chai';
import { describe, it } from 'mocha';
import { rateLimiterContract } from '../testing/rate-limiter-contract';
import { MemoryRateLimiter } from './memory-rate-limiter';

// A small budget, so the contract's floods really reach the bound.
rateLimiterContract('MemoryRateLimiter', async () => new MemoryRateLimiter({ maxKeys: 100 }), { floodKeys: 500 });

describe('MemoryRateLimiter', () => {
  const rule = { limit: 2, windowMs: 1000 };
  const lock = { limit: 1, windowMs: 900_000, tier: 'lock' as const };
  const counter = { limit: 5, windowMs: 900_000, tier: 'counter' as const };

  describe('consume', () => {
    it('forgets the least recently used bucket when maxKeys is reached', async () => {
      const limiter = new MemoryRateLimiter({ maxKeys: 2 });
      await limiter.consume('a', rule);
      await limiter.consume('b', rule);
      await limiter.peek('a', rule); // a is now more recent than b
      await limiter.consume('c', rule);
      expect(limiter.size).to.equal(2);
      expect((await limiter.peek('a', rule)).count).to.equal(1);
      expect((await limiter.peek('b', rule)).count).to.equal(0);
      expect((await limiter.peek('c', rule)).count).to.equal(1);
      await limiter.close();
    });

    it('keeps a lock and a failure counter through a flood of 10 000 new buckets', async () => {
      const limiter = new MemoryRateLimiter({ maxKeys: 50 });
      await limiter.consume('login:lock', lock);
      for (let i = 0; i < 3; i += 1) await limiter.consume('login:fail', counter);
      for (let i = 0; i < 10_000; i += 1) await limiter.consume(`route:login:198.51.${i >> 8}.${i & 255}`, rule);
      expect(limiter.sizeOf('bucket')).to.equal(50);
      expect(await limiter.peek('login:lock', lock)).to.include({ count: 1, allowed: false });
      expect((await limiter.peek('login:fail', counter)).count).to.equal(3);
      await limiter.close();
    });

    it('keeps locks through a flood of new failure counters', async () => {
      const limiter = new MemoryRateLimiter({ maxKeys: { counter: 20 } });
      await limiter.consume('login:lock', lock);
      for (let i = 0; i < 1000; i += 1) await limiter.consume(`login:fail:${i}`, counter);
      expect(limiter.sizeOf('counter')).to.equal(20);
      expect((await limiter.peek('login:lock', lock)).count).to.equal(1);
      await limiter.close();
    });

    it('keeps a counter that is in use while idle ones of its tier are pushed out', async () => {
      const limiter = new MemoryRateLimiter({ maxKeys: 10 });
      for (let i = 0; i < 100; i += 1) {
        await limiter.consume('login:fail:target', counter);
        await limiter.consume(`login:fail:noise-${i}`, counter);
      }
      expect((await limiter.peek('login:fail:target', counter)).count).to.equal(100);
      await limiter.close();
    });
  });

  describe('store and entry', () => {
    it('sets a key to a given count and time left, and forgets it at count 0', async () => {
      let now = 1_000_000;
      const limiter = new MemoryRateLimiter({ now: () => now });
      limiter.store('k', { count: 4, ttlMs: 10_000, tier: 'lock' });
      expect(limiter.entry('k')).to.deep.equal({ count: 4, ttlMs: 10_000, tier: 'lock' });
      now += 4000;
      expect(await limiter.consume('k', lock)).to.include({ count: 5, resetSeconds: 6 });
      limiter.store('k', { count: 0, ttlMs: 0, tier: 'lock' });
      expect(limiter.entry('k')).to.equal(undefined);
      await limiter.close();
    });
  });

  describe('sweep', () => {
    it('drops expired windows that nobody hits again, in every tier', async () => {
      let now = 5_000_000;
      const limiter = new MemoryRateLimiter({ now: () => now });
      await limiter.consume('short', { limit: 1, windowMs: 1000 });
      await limiter.consume('short-lock', { limit: 1, windowMs: 1000, tier: 'lock' });
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
