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

      it('keeps what was set: changing the given object, or trying to change a value read back, never changes the cached one', async () => {
        const original = { id: 1, roles: ['user'] };
        await cache.set(key('copy'), original, 5);
        original.roles.push('changed-after-set');
        const first = await cache.get<{ id: number; roles: string[] }>(key('copy'));
        // A read is a fresh copy (Redis) or read-only (memory, where changing it throws).
        try {
          first!.roles.push('changed-after-get');
        } catch (error) {
          expect(error).to.be.instanceOf(TypeError);
        }
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

      it('stores right after a delete', async () => {
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

      it('stores again right after a delete', async () => {
        await cache.set(key('k'), { version: 1 }, 5);
        await cache.delete(key('k'));
        expect(await cache.add(key('k'), { version: 2 }, 5)).to.equal(true);
        expect(await cache.get(key('k'))).to.deep.equal({ version: 2 });
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

      it('reads a deleted key as a miss', async () => {
        await cache.set(key('k'), 'old', 5);
        await cache.delete(key('k'));
        expect(await cache.get(key('k'))).to.equal(undefined);
      });
    });

    describe('versioned entries', () => {
      const scope = () => key('scope');

      it('misses at first, with a stamp to fill with, and hits after the fill', async () => {
        const first = await cache.getVersioned(key('me'), [scope()]);
        expect(first.value).to.equal(undefined);
        expect(first.stamp).to.be.a('string');
        await cache.setVersioned(key('me'), first.stamp!, { email: 'a@example.com' }, 5);
        const second = await cache.getVersioned(key('me'), [scope()]);
        expect(second).to.deep.equal({ value: { email: 'a@example.com' }, stamp: first.stamp });
      });

      it('misses right after a bump and hits right after the refill (no waiting)', async () => {
        const before = await cache.getVersioned(key('me'), [scope()]);
        await cache.setVersioned(key('me'), before.stamp!, { version: 1 }, 5);
        await cache.bump(scope());
        const miss = await cache.getVersioned(key('me'), [scope()]);
        expect(miss.value).to.equal(undefined);
        expect(miss.stamp).to.not.equal(before.stamp);
        await cache.setVersioned(key('me'), miss.stamp!, { version: 2 }, 5);
        expect((await cache.getVersioned(key('me'), [scope()])).value).to.deep.equal({ version: 2 });
      });

      it('never lets a fill that read before a bump overwrite the newer state', async () => {
        // The read-through race: miss, read the old row, a change commits and bumps, then fill.
        const raced = await cache.getVersioned(key('me'), [scope()]);
        await cache.bump(scope());
        const fresh = await cache.getVersioned(key('me'), [scope()]);
        await cache.setVersioned(key('me'), fresh.stamp!, { email: 'new@example.com' }, 5);
        await cache.setVersioned(key('me'), raced.stamp!, { email: 'old@example.com' }, 5);
        expect((await cache.getVersioned(key('me'), [scope()])).value).to.deep.equal({ email: 'new@example.com' });
      });

      it('keeps a stale fill out even when nobody refilled in between', async () => {
        const raced = await cache.getVersioned(key('me'), [scope()]);
        await cache.bump(scope());
        await cache.setVersioned(key('me'), raced.stamp!, { email: 'old@example.com' }, 5);
        expect((await cache.getVersioned(key('me'), [scope()])).value).to.equal(undefined);
      });

      it('is invalidated by a bump of any of its scopes, and only by those', async () => {
        const scopes = [key('user'), key('session')];
        const read = async () => (await cache.getVersioned(key('auth'), scopes)).value;
        const fill = async (value: unknown) => {
          const { stamp } = await cache.getVersioned(key('auth'), scopes);
          await cache.setVersioned(key('auth'), stamp!, value, 5);
        };
        await fill('one');
        await cache.bump(key('unrelated'));
        expect(await read()).to.equal('one');
        await cache.bump(key('session'));
        expect(await read()).to.equal(undefined);
        await fill('two');
        await cache.bump(key('user'));
        expect(await read()).to.equal(undefined);
      });

      it('keeps the entries of other keys in the same scope apart', async () => {
        const { stamp } = await cache.getVersioned(key('a'), [scope()]);
        await cache.setVersioned(key('a'), stamp!, 'a', 5);
        await cache.setVersioned(key('b'), stamp!, 'b', 5);
        expect((await cache.getVersioned(key('a'), [scope()])).value).to.equal('a');
        expect((await cache.getVersioned(key('b'), [scope()])).value).to.equal('b');
      });

      it('lets a versioned entry expire after its ttl', async () => {
        const { stamp } = await cache.getVersioned(key('k'), [scope()]);
        await cache.setVersioned(key('k'), stamp!, 'soon gone', 0.3);
        await sleep(450);
        expect((await cache.getVersioned(key('k'), [scope()])).value).to.equal(undefined);
      });
    });

    describe('check', () => {
      it('reports a store that answers as healthy', async () => {
        expect(await cache.check()).to.equal(true);
      });
    });
  });
}
