import { expect } from 'chai';
import { describe, it } from 'mocha';
import { cacheContract } from '../testing/cache-contract';
import { TOMBSTONE_SECONDS } from './cache';
import { waitFor } from '../testing/wait-for';
import { MemoryCache } from './memory-cache';

cacheContract('MemoryCache', async ({ tombstoneSeconds }) => new MemoryCache({ tombstoneSeconds }));

describe('MemoryCache', () => {
  describe('set', () => {
    it('evicts the least recently used entry beyond maxEntries', async () => {
      const cache = new MemoryCache({ maxEntries: 2 });
      await cache.set('a', 1, 60);
      await cache.set('b', 2, 60);
      await cache.get('a'); // a is now more recently used than b
      await cache.set('c', 3, 60);
      expect(await cache.get('a')).to.equal(1);
      expect(await cache.get('b')).to.equal(undefined);
      expect(await cache.get('c')).to.equal(3);
      expect(cache.size).to.equal(2);
      await cache.close();
    });

    it('stores nothing for a non-positive ttl or an undefined value', async () => {
      const cache = new MemoryCache();
      await cache.set('zero', 'x', 0);
      await cache.set('undefined', undefined, 60);
      expect(await cache.get('zero')).to.equal(undefined);
      expect(await cache.get('undefined')).to.equal(undefined);
      expect(cache.size).to.equal(0);
      await cache.close();
    });
  });

  describe('delete', () => {
    it('blocks fills for TOMBSTONE_SECONDS by default, no longer', async () => {
      let now = 1_000_000;
      const cache = new MemoryCache({ now: () => now });
      await cache.set('k', 'old', 300);
      await cache.delete('k');
      now += TOMBSTONE_SECONDS * 1000 - 1;
      expect(await cache.add('k', 'stale', 300)).to.equal(false);
      now += 1;
      expect(await cache.add('k', 'fresh', 300)).to.equal(true);
      expect(await cache.get('k')).to.equal('fresh');
      await cache.close();
    });

    it('keeps its tombstones while values are evicted beyond maxEntries', async () => {
      const cache = new MemoryCache({ maxEntries: 2 });
      await cache.delete('invalidated');
      for (const key of ['a', 'b', 'c', 'd']) await cache.set(key, key, 60);
      expect(await cache.add('invalidated', 'stale', 60)).to.equal(false);
      expect(cache.size).to.equal(2);
      await cache.close();
    });
  });

  describe('sweep', () => {
    it('drops expired entries that nobody reads', async () => {
      let now = 1_000_000;
      const cache = new MemoryCache({ now: () => now });
      await cache.set('short', 1, 1);
      await cache.set('long', 2, 60);
      now += 2000;
      cache.sweep();
      expect(cache.size).to.equal(1);
      expect(await cache.get('long')).to.equal(2);
      await cache.close();
    });

    it('runs by itself on its interval', async () => {
      let now = 1_000_000;
      const cache = new MemoryCache({ now: () => now, sweepIntervalMs: 20 });
      await cache.set('short', 1, 1);
      now += 2000;
      // The sweep runs on a real timer: wait for its effect, however late a busy machine runs it.
      await waitFor(() => cache.size === 0, { message: 'the interval sweep removes the expired entry' });
      expect(cache.size).to.equal(0);
      await cache.close();
    });
  });

  describe('backend', () => {
    it('is memory', async () => {
      const cache = new MemoryCache();
      expect(cache.backend).to.equal('memory');
      await cache.close();
    });
  });
});
