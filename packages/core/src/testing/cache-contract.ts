import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import type { Cache } from '../cache/cache';

/** What {@link cacheContract} asks of the cache it gets: the factory must honour it. */
export interface CacheContractOptions {
  /** How long a deleted key must block `add`, in seconds (a fraction, to keep tests fast). */
  tombstoneSeconds: number;
}

/** The tombstone lifetime the contract runs with, and how long to wait for it to pass. */
const TOMBSTONE_SECONDS = 0.3;
const PAST_TOMBSTONE_MS = 450;

/**
 * The behaviour every {@link Cache} must show, as a mocha suite. `factory` is called before
 * each test and the cache is closed after it; keys are unique per test, so a shared Redis
 * database is fine. TTLs are fractions of a second to keep the suite fast.
 *
 * @example
 * cacheContract('MemoryCache', async ({ tombstoneSeconds }) => new MemoryCache({ tombstoneSeconds }));
 */
export function cacheContract(name: string, factory: (options: CacheContractOptions) => Promise<Cache>): void {
  describe(`${name} (Cache contract)`, () => {
    let cache: Cache;
    let key: (label: string) => string;

    beforeEach(async () => {
      cache = await factory({ tombstoneSeconds: TOMBSTONE_SECONDS });
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

      it('stores right after a delete, because an explicit write is not a fill', async () => {
        await cache.set(key('k'), { version: 1 }, 5);
        await cache.delete(key('k'));
        await cache.set(key('k'), { version: 2 }, 5);
        expect(await cache.get(key('k'))).to.deep.equal({ version: 2 });
      });
    });

    describe('add', () => {
      it('stores into a key that holds nothing and says so', async () => {
        expect(await cache.add(key('k'), { id: 1 }, 5)).to.equal(true);
        expect(await cache.get(key('k'))).to.deep.equal({ id: 1 });
      });

      it('never overwrites a value', async () => {
        await cache.set(key('k'), { version: 'current' }, 5);
        expect(await cache.add(key('k'), { version: 'other' }, 5)).to.equal(false);
        expect(await cache.get(key('k'))).to.deep.equal({ version: 'current' });
      });

      it('lets only the first of two fills store', async () => {
        const results = await Promise.all([cache.add(key('k'), 'first', 5), cache.add(key('k'), 'second', 5)]);
        expect(results.filter(Boolean)).to.have.length(1);
        expect(await cache.get(key('k'))).to.equal(results[0] ? 'first' : 'second');
      });

      it('stores nothing after a delete until the tombstone expires', async () => {
        await cache.set(key('k'), { version: 1 }, 5);
        await cache.delete(key('k'));
        expect(await cache.add(key('k'), { version: 'stale' }, 5)).to.equal(false);
        expect(await cache.get(key('k'))).to.equal(undefined);
        await sleep(PAST_TOMBSTONE_MS);
        expect(await cache.add(key('k'), { version: 2 }, 5)).to.equal(true);
        expect(await cache.get(key('k'))).to.deep.equal({ version: 2 });
      });

      it('keeps a stale fill out when the delete lands between the read and the fill', async () => {
        // The read-through race: miss, read the old value, a write invalidates, then fill.
        expect(await cache.get(key('k'))).to.equal(undefined);
        const readBeforeTheWrite = { email: 'old@example.com' };
        await cache.delete(key('k'));
        expect(await cache.add(key('k'), readBeforeTheWrite, 5)).to.equal(false);
        expect(await cache.get(key('k'))).to.equal(undefined);
      });

      it('stores again once an added entry has expired', async () => {
        expect(await cache.add(key('k'), 'first', 0.3)).to.equal(true);
        await sleep(450);
        expect(await cache.add(key('k'), 'second', 5)).to.equal(true);
        expect(await cache.get(key('k'))).to.equal('second');
      });

      it('stores nothing, and says so, for an undefined value or a non-positive ttl', async () => {
        expect(await cache.add(key('undefined'), undefined, 5)).to.equal(false);
        expect(await cache.add(key('zero'), 'x', 0)).to.equal(false);
        expect(await cache.get(key('undefined'))).to.equal(undefined);
        expect(await cache.get(key('zero'))).to.equal(undefined);
        expect(await cache.add(key('zero'), 'x', 5)).to.equal(true);
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

      it('reads a deleted key as a miss for as long as its tombstone lasts and after', async () => {
        await cache.set(key('k'), 'old', 5);
        await cache.delete(key('k'));
        expect(await cache.get(key('k'))).to.equal(undefined);
        await sleep(PAST_TOMBSTONE_MS);
        expect(await cache.get(key('k'))).to.equal(undefined);
      });

      it('blocks fills of a key that held nothing when it was deleted', async () => {
        await cache.delete(key('never-set'));
        expect(await cache.add(key('never-set'), 'stale', 5)).to.equal(false);
      });
    });

    describe('check', () => {
      it('reports a store that answers as healthy', async () => {
        expect(await cache.check()).to.equal(true);
      });
    });
  });
}
