import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import type { Cache } from '../cache/cache';

/**
 * The behaviour every {@link Cache} must show, as a mocha suite. `factory` is called before
 * each test and the cache is closed after it; keys are unique per test, so a shared Redis
 * database is fine. TTLs are fractions of a second to keep the suite fast.
 *
 * @example
 * cacheContract('MemoryCache', async () => new MemoryCache());
 */
export function cacheContract(name: string, factory: () => Promise<Cache>): void {
  describe(`${name} (Cache contract)`, () => {
    let cache: Cache;
    let key: (label: string) => string;

    beforeEach(async () => {
      cache = await factory();
      const run = randomUUID();
      key = (label) => `contract:${run}:${label}`;
    });

    afterEach(async () => {
      await cache.close();
    });

    describe('get', () => {
      it('misses a key that was never set', async () => {
        expect(await cache.get(key('never'))).to.equal(undefined);
      });

      it('returns what set stored, for objects, arrays, strings, numbers and null', async () => {
        const values: Record<string, unknown> = {
          object: { id: 1, email: 'a@example.com', nested: { tags: ['x'] }, full_name: null },
          array: [1, 'two', { three: 3 }],
          string: 'hello',
          number: 42.5,
          null: null,
        };
        for (const [label, value] of Object.entries(values)) await cache.set(key(label), value, 5);
        for (const [label, value] of Object.entries(values)) {
          expect(await cache.get(key(label)), label).to.deep.equal(value);
        }
      });

      it('hands out copies, so mutating a value never changes the cached one', async () => {
        const original = { id: 1, roles: ['user'] };
        await cache.set(key('copy'), original, 5);
        original.roles.push('changed-after-set');
        const first = await cache.get<{ id: number; roles: string[] }>(key('copy'));
        first!.roles.push('changed-after-get');
        expect(await cache.get(key('copy'))).to.deep.equal({ id: 1, roles: ['user'] });
      });
    });

    describe('set', () => {
      it('overwrites the value of an existing key', async () => {
        await cache.set(key('k'), { version: 1 }, 5);
        await cache.set(key('k'), { version: 2 }, 5);
        expect(await cache.get(key('k'))).to.deep.equal({ version: 2 });
      });

      it('lets an entry expire after its ttl', async () => {
        await cache.set(key('short'), 'soon gone', 0.3);
        await cache.set(key('long'), 'still here', 5);
        expect(await cache.get(key('short'))).to.equal('soon gone');
        await sleep(450);
        expect(await cache.get(key('short'))).to.equal(undefined);
        expect(await cache.get(key('long'))).to.equal('still here');
      });

      it('gives an overwritten entry the new ttl', async () => {
        await cache.set(key('k'), 'first', 0.3);
        await cache.set(key('k'), 'second', 5);
        await sleep(450);
        expect(await cache.get(key('k'))).to.equal('second');
      });

      it('keeps keys apart', async () => {
        await cache.set(key('a'), { who: 'a' }, 5);
        await cache.set(key('b'), { who: 'b' }, 5);
        expect(await cache.get(key('a'))).to.deep.equal({ who: 'a' });
        expect(await cache.get(key('b'))).to.deep.equal({ who: 'b' });
      });
    });

    describe('delete', () => {
      it('removes every given key and leaves the others', async () => {
        await cache.set(key('a'), 1, 5);
        await cache.set(key('b'), 2, 5);
        await cache.set(key('c'), 3, 5);
        await cache.delete(key('a'), key('b'));
        expect(await cache.get(key('a'))).to.equal(undefined);
        expect(await cache.get(key('b'))).to.equal(undefined);
        expect(await cache.get(key('c'))).to.equal(3);
      });

      it('ignores keys that do not exist', async () => {
        await cache.delete(key('missing'), key('also-missing'));
        await cache.set(key('after'), 'ok', 5);
        expect(await cache.get(key('after'))).to.equal('ok');
      });
    });

    describe('check', () => {
      it('reports a store that answers as healthy', async () => {
        expect(await cache.check()).to.equal(true);
      });
    });
  });
}
