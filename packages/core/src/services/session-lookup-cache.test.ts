import { expect } from 'chai';
import { describe, it } from 'mocha';
import { cacheKeys } from '../cache/cache';
import { MemoryCache } from '../cache/memory-cache';
import type { SessionWithUser } from '../repositories/session-repository';
import { makeUser } from './service-fakes';
import { SessionLookupCache } from './session-lookup-cache';

const now = new Date('2026-03-10T12:00:00.000Z');

function lookup(overrides: { lastUsedAgoMs?: number; expiresInMs?: number; active?: boolean } = {}): SessionWithUser {
  const { lastUsedAgoMs = 0, expiresInMs = 3_600_000, active = true } = overrides;
  return {
    user: makeUser({ id: 7, is_active: active }),
    session: {
      id: 42,
      user_id: 7,
      jti: 'j',
      ip_address: null,
      user_agent: null,
      is_active: true,
      expires_at: new Date(now.getTime() + expiresInMs),
      absolute_expires_at: new Date(now.getTime() + 86_400_000),
      created_at: new Date(now.getTime() - 3_600_000),
      last_used_at: new Date(now.getTime() - lastUsedAgoMs),
    },
  };
}

describe('SessionLookupCache', () => {
  it('hits after a fill with the same rows, Dates included, and misses after a bump of the user', async () => {
    const cache = new MemoryCache();
    const lookups = new SessionLookupCache(cache);
    const miss = await lookups.read(42, 7, now);
    expect(miss.hit).to.equal(undefined);
    const found = lookup();
    await lookups.store((miss as { stamp: string }).stamp, found, now);
    const hit = await lookups.read(42, 7, now);
    expect(hit.hit).to.deep.equal(found);
    expect(hit.hit!.session.expires_at).to.be.instanceOf(Date);
    await cache.bump(cacheKeys.userScope(7));
    expect((await lookups.read(42, 7, now)).hit).to.equal(undefined);
    await cache.close();
  });

  it('never answers for another user than the token’s, nor past the session’s expiry', async () => {
    const cache = new MemoryCache();
    const lookups = new SessionLookupCache(cache);
    const { stamp } = (await lookups.read(42, 7, now)) as { stamp: string };
    await lookups.store(stamp, lookup(), now);
    expect((await lookups.read(42, 8, now)).hit).to.equal(undefined);
    expect((await lookups.read(42, 7, new Date(now.getTime() + 3_600_000))).hit).to.equal(undefined);
    await cache.close();
  });

  it('stores nothing for an inactive user, a session about to need its touch, or without a stamp', async () => {
    const cache = new MemoryCache();
    const lookups = new SessionLookupCache(cache);
    const { stamp } = (await lookups.read(42, 7, now)) as { stamp: string };
    await lookups.store(stamp, lookup({ active: false }), now);
    expect((await lookups.read(42, 7, now)).hit).to.equal(undefined);
    await lookups.store(stamp, lookup({ lastUsedAgoMs: 59_500 }), now);
    expect((await lookups.read(42, 7, now)).hit).to.equal(undefined);
    await lookups.store(undefined, lookup(), now);
    expect((await lookups.read(42, 7, now)).hit).to.equal(undefined);
    await cache.close();
  });
});
