import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import type { RateLimiter, RateLimitRule } from '../rate-limit/rate-limiter';

/** Options of {@link rateLimiterContract}. */
export interface RateLimiterContractOptions {
  /**
   * New keys the flood tests send, more than a bounded store's budget per tier (a Redis
   * store keeps every key anyway). Default 500.
   */
  floodKeys?: number;
}

/**
 * The behaviour every counting {@link RateLimiter} must show, as a mocha suite. `factory`
 * is called before each test and the limiter is closed after it; keys are unique per test,
 * so a shared Redis database is fine. Windows are fractions of a second to stay fast.
 * Besides counting, it checks the tiers of {@link RateLimitRule}: a flood of new keys of one
 * tier never evicts a failure counter or a lock (the login lockout relies on it).
 *
 * @example
 * rateLimiterContract('MemoryRateLimiter', async () => new MemoryRateLimiter({ maxKeys: 100 }));
 */
export function rateLimiterContract(name: string, factory: () => Promise<RateLimiter>, options: RateLimiterContractOptions = {}): void {
  const floodKeys = options.floodKeys ?? 500;
  describe(`${name} (RateLimiter contract)`, () => {
    const rule: RateLimitRule = { limit: 3, windowMs: 400 };
    let limiter: RateLimiter;
    let key: (label: string) => string;

    beforeEach(async () => {
      limiter = await factory();
      const run = randomUUID();
      key = (label) => `contract:${run}:${label}`;
    });

    afterEach(async () => {
      await limiter.close();
    });

    const consumeTimes = async (label: string, times: number, withRule = rule) => {
      const results = [];
      for (let i = 0; i < times; i += 1) results.push(await limiter.consume(key(label), withRule));
      return results;
    };

    describe('consume', () => {
      it('allows hits up to the limit and counts them down', async () => {
        const results = await consumeTimes('k', 3);
        expect(results.map((r) => r.allowed)).to.deep.equal([true, true, true]);
        expect(results.map((r) => r.count)).to.deep.equal([1, 2, 3]);
        expect(results.map((r) => r.remaining)).to.deep.equal([2, 1, 0]);
        expect(results.map((r) => r.retryAfterSeconds)).to.deep.equal([0, 0, 0]);
        expect(results.every((r) => r.limit === 3)).to.equal(true);
      });

      it('refuses hits past the limit with a retry-after of at least one second', async () => {
        const [, , , fourth, fifth] = await consumeTimes('k', 5);
        for (const refused of [fourth!, fifth!]) {
          expect(refused.allowed).to.equal(false);
          expect(refused.remaining).to.equal(0);
          expect(refused.retryAfterSeconds).to.equal(1);
          expect(refused.resetSeconds).to.equal(1);
        }
        expect(fifth!.count).to.equal(5);
      });

      it('rounds the seconds until reset up', async () => {
        const [result] = await consumeTimes('k', 1, { limit: 1, windowMs: 1500 });
        expect(result!.resetSeconds).to.equal(2);
        const [refused] = await consumeTimes('k', 1, { limit: 1, windowMs: 1500 });
        expect(refused!.retryAfterSeconds).to.equal(2);
      });

      it('starts a fresh window once the window has passed', async () => {
        await consumeTimes('k', 4);
        await sleep(500);
        const [next] = await consumeTimes('k', 1);
        expect(next).to.include({ allowed: true, count: 1, remaining: 2 });
      });

      it('times the window from the first hit, not the latest', async () => {
        await consumeTimes('k', 1);
        await sleep(200);
        await consumeTimes('k', 1);
        await sleep(300);
        // 500 ms after the first hit: a window extended by the second hit would still run.
        const [third] = await consumeTimes('k', 1);
        expect(third!.count).to.equal(1);
      });

      it('keeps keys independent', async () => {
        await consumeTimes('a', 4);
        const [other] = await consumeTimes('b', 1);
        expect(other).to.include({ allowed: true, count: 1 });
      });

      it('allows exactly the limit when 50 hits arrive at once', async () => {
        const tight = { limit: 10, windowMs: 2000 };
        const results = await Promise.all(Array.from({ length: 50 }, () => limiter.consume(key('burst'), tight)));
        expect(results.filter((r) => r.allowed)).to.have.length(10);
        expect(results.map((r) => r.count).sort((a, b) => a - b)).to.deep.equal(
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
      });
    });

    describe('peek', () => {
      it('reports an unused key as empty', async () => {
        expect(await limiter.peek(key('unused'), rule)).to.deep.equal({
          allowed: true,
          limit: 3,
          remaining: 3,
          resetSeconds: 0,
          retryAfterSeconds: 0,
          count: 0,
        });
      });

      it('does not count a hit', async () => {
        await limiter.peek(key('k'), rule);
        await limiter.peek(key('k'), rule);
        await limiter.peek(key('k'), rule);
        const [first] = await consumeTimes('k', 1);
        expect(first!.count).to.equal(1);
      });

      it('says whether the next hit would be allowed', async () => {
        await consumeTimes('k', 2);
        expect(await limiter.peek(key('k'), rule)).to.include({ allowed: true, count: 2, remaining: 1, resetSeconds: 1 });
        await consumeTimes('k', 1);
        const full = await limiter.peek(key('k'), rule);
        expect(full).to.include({ allowed: false, count: 3, remaining: 0, retryAfterSeconds: 1 });
      });
    });

    describe('reset', () => {
      it('forgets a key so its next hit starts a new window', async () => {
        await consumeTimes('k', 4);
        await limiter.reset(key('k'));
        const [next] = await consumeTimes('k', 1);
        expect(next).to.include({ allowed: true, count: 1 });
      });

      it('leaves other keys alone', async () => {
        await consumeTimes('a', 2);
        await consumeTimes('b', 2);
        await limiter.reset(key('a'));
        expect((await limiter.peek(key('b'), rule)).count).to.equal(2);
      });
    });

    describe('check', () => {
      it('reports a store that answers as healthy', async () => {
        expect(await limiter.check()).to.equal(true);
      });
    });

    describe('tiers', () => {
      const counter: RateLimitRule = { limit: 5, windowMs: 60_000, tier: 'counter' };
      const lock: RateLimitRule = { limit: 1, windowMs: 60_000, tier: 'lock' };

      it('counts, peeks and resets keys of every tier alike', async () => {
        for (const tier of ['bucket', 'counter', 'lock'] as const) {
          const tiered = { ...rule, tier };
          const results = await consumeTimes(tier, 4, tiered);
          expect(results.map((r) => r.allowed), tier).to.deep.equal([true, true, true, false]);
          expect(await limiter.peek(key(tier), tiered), tier).to.include({ count: 4, allowed: false });
          await limiter.reset(key(tier));
          expect((await limiter.peek(key(tier), tiered)).count, tier).to.equal(0);
        }
      });

      it("keeps a key's window from its first hit when later hits bring another window", async () => {
        await consumeTimes('lock', 1, { ...lock, windowMs: 300 });
        await consumeTimes('lock', 1, { ...lock, windowMs: 60_000 });
        await sleep(400);
        expect((await limiter.peek(key('lock'), lock)).count).to.equal(0);
      });

      it(`keeps failure counters and locks through ${floodKeys} new buckets`, async () => {
        await consumeTimes('lock', 1, lock);
        await consumeTimes('fail', 3, counter);
        for (let i = 0; i < floodKeys; i += 1) await limiter.consume(key(`flood-${i}`), rule);
        expect(await limiter.peek(key('lock'), lock)).to.include({ count: 1, allowed: false });
        expect((await limiter.peek(key('fail'), counter)).count).to.equal(3);
      });

      it(`keeps locks through ${floodKeys} new failure counters`, async () => {
        await consumeTimes('lock', 1, lock);
        for (let i = 0; i < floodKeys; i += 1) await limiter.consume(key(`flood-${i}`), { ...counter, windowMs: 400 });
        expect((await limiter.peek(key('lock'), lock)).count).to.equal(1);
      });
    });
  });
}
