import { expect } from 'chai';
import { describe, it } from 'mocha';
import { cacheContract } from '../testing/cache-contract';
import { MemoryCache } from './memory-cache';

cacheContract('MemoryCache', async () => new MemoryCache());

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

  describe('versions', () => {
    it('keeps the versions while values are evicted beyond maxEntries', async () => {
      const cache = new MemoryCache({ maxEntries: 2 });
      const before = await cache.getVersioned('k', ['user:1']);
      await cache.setVersioned('k', before.stamp!, 'old', 60);
      await cache.bump('user:1');
      for (const key of ['a', 'b', 'c', 'd']) await cache.set(key, key, 60);
      // A fill that read before the bump lands under the old version, which stays unread.
      await cache.setVersioned('k', before.stamp!, 'stale', 60);
      const after = await cache.getVersioned('k', ['user:1']);
      expect(after.stamp).to.not.equal(before.stamp);
      expect(after.value).to.equal(undefined);
      await cache.close();
    });

    it('gives an evicted version a new token, so its old entries never come back', async () => {
      const cache = new MemoryCache({ maxEntries: 1 });
      const first = await cache.getVersioned('k', ['user:1']);
      await cache.setVersioned('k', first.stamp!, 'old', 60);
      await cache.getVersioned('other', ['user:2']); // evicts the version of user:1
      const again = await cache.getVersioned('k', ['user:1']);
      expect(again.stamp).to.not.equal(first.stamp);
      expect(again.value).to.equal(undefined);
      await cache.close();
    });
  });

  describe('expiry', () => {
    it('drops an expired entry on read, by its own clock', async () => {
      let now = 1_000_000;
      const cache = new MemoryCache({ now: () => now });
      await cache.set('short', 1, 1);
      await cache.set('long', 2, 60);
      now += 999;
      expect(await cache.get('short')).to.equal(1);
      now += 1001;
      expect(await cache.get('short')).to.equal(undefined);
      expect(await cache.get('long')).to.equal(2);
      expect(cache.size).to.equal(1);
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
