import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { setTimeout as sleep } from 'node:timers/promises';
import { createManualClock } from '../../clock/clock';
import type { CoreHooks, HookContext } from '../../events/core-events';
import { expectError, expectJson } from './assertions';
import { Harness, type MountHost, type SignedInUser, type Sibling, type StorageTarget, type TestClient } from './harness';
import { refresh, rotate, type SessionBody, type TokenBody } from './tokens-suite';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * What depends on time, on a core whose clock moves only when told (so nothing depends on
 * how fast the machine is): the 10-second retry window, concurrent refreshes, idle and
 * absolute lifetimes (1 and 2 days here), `last_used_at`, access-token expiry, and a second
 * instance on the same database and clock.
 */
export function tokenLifetimesSuite(target: StorageTarget, mount: MountHost): void {
  const clock = createManualClock(new Date());
  // Set by the concurrency test only: holds a winning refresh's transaction open.
  let holdRefresh: ((context: HookContext) => Promise<void>) | undefined;
  const hooks: CoreHooks = { 'session.refreshed': (_payload, context) => holdRefresh?.(context) };
  const h = new Harness(target, mount, { clock, hooks, sessions: { idleDays: 1, maxDays: 2 } });
  let b: Sibling;
  before(async () => {
    await h.start();
    b = await h.sibling();
  });
  after(async () => {
    await b?.stop();
    await h.stop();
  });

  const me = (user: SignedInUser, token: string) => user.client.withToken(token).get(h.api('/auth/me'));
  const sessionsOf = async (user: SignedInUser, token: string) =>
    expectJson<SessionBody[]>(await user.client.withToken(token).get(h.api('/auth/sessions')), 200);

  describe('the retry window', () => {
    it('answers the spent token 401 within 10 s of its rotation and leaves the session alive', async () => {
      const user = await h.signIn();
      const next = await rotate(h, user.client, user.refreshToken);
      clock.advance(10 * SECOND);
      const retry = expectError(await refresh(h, user.client, user.refreshToken), 401, 'authentication_error');
      expect(retry.message).to.equal('Refresh token already used');
      expectJson(await me(user, next.access_token), 200);
      await rotate(h, user.client, next.refresh_token);
    });

    it('ends the session when the spent token comes back after 10 s', async () => {
      const user = await h.signIn();
      const next = await rotate(h, user.client, user.refreshToken);
      clock.advance(10 * SECOND + 1);
      expectError(await refresh(h, user.client, user.refreshToken), 401, 'authentication_error');
      expectError(await me(user, next.access_token), 401, 'authentication_error');
      expectError(await refresh(h, user.client, next.refresh_token), 401, 'authentication_error');
    });
  });

  describe('concurrent refreshes', () => {
    it('give exactly one new pair, spread over two instances, and the session lives on', async () => {
      const user = await h.signIn();
      // On PostgreSQL the winner's transaction, which holds the row, waits until the other
      // refreshes are blocked on it (they have read the old hash and reached their UPDATE),
      // so the race is certain to happen; SQLite runs write transactions one at a time anyway.
      if (target.database.name === 'postgres') holdRefresh = (context) => untilBlocked(context, 7);
      const clients: TestClient[] = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? h.client() : b.client()));
      const answers = await Promise.all(clients.map((client) => refresh(h, client, user.refreshToken))).finally(() => {
        holdRefresh = undefined;
      });
      const won = answers.filter((res) => res.status === 200);
      expect(answers.map((res) => res.status).sort(), JSON.stringify(answers.map((res) => res.body))).to.deep.equal([200, 401, 401, 401, 401, 401, 401, 401]);
      for (const lost of answers.filter((res) => res.status === 401)) expect(lost.body.message).to.equal('Refresh token already used');
      const pair = won[0]!.body as TokenBody;
      expectJson(await me(user, pair.access_token), 200);
      await rotate(h, user.client, pair.refresh_token);
    });
  });

  describe('two instances on one database', () => {
    it('a replay on instance B after rotation on A ends the session; A refuses its access token at once', async () => {
      const user = await h.signIn();
      const next = await rotate(h, user.client, user.refreshToken);
      const onA = user.client.withToken(next.access_token);
      expectJson(await onA.get(h.api('/auth/me')), 200);
      expect((await onA.get(h.api('/auth/me'))).headers['x-cache']).to.equal('HIT');
      clock.advance(11 * SECOND);
      expectError(await refresh(h, b.client(), user.refreshToken), 401, 'authentication_error');
      expectError(await onA.get(h.api('/auth/me')), 401, 'authentication_error');
      expectError(await refresh(h, user.client, next.refresh_token), 401, 'authentication_error');
    });
  });

  describe('lifetimes', () => {
    it('ends a session unused for the idle lifetime', async () => {
      const user = await h.signIn();
      const other = await h.loginFor(user);
      clock.advance(DAY - MINUTE);
      const kept = await rotate(h, h.client(), other.refreshToken);
      clock.advance(2 * MINUTE);
      expect(expectError(await refresh(h, user.client, user.refreshToken), 401, 'authentication_error').message).to.equal('Session is not active');
      const listed = await sessionsOf(user, kept.access_token);
      expect(listed.map((session) => session.current)).to.deep.equal([true]);
    });

    it('moves expires_at with each use, up to the absolute lifetime, and ends the session there', async () => {
      const user = await h.signIn();
      const start = clock.now().getTime();
      let pair = { access_token: user.token, refresh_token: user.refreshToken } as TokenBody;
      const [opened] = await sessionsOf(user, pair.access_token);
      expect(Date.parse(opened!.expires_at)).to.equal(start + DAY);
      clock.advance(20 * HOUR);
      pair = await rotate(h, user.client, pair.refresh_token);
      expect(pair.refresh_expires_in).to.equal(DAY / SECOND);
      expect(Date.parse((await sessionsOf(user, pair.access_token))[0]!.expires_at)).to.equal(start + 20 * HOUR + DAY);
      clock.advance(20 * HOUR);
      pair = await rotate(h, user.client, pair.refresh_token);
      expect(pair.refresh_expires_in, 'capped by the absolute lifetime').to.equal((8 * HOUR) / SECOND);
      expect(Date.parse((await sessionsOf(user, pair.access_token))[0]!.expires_at)).to.equal(start + 2 * DAY);
      clock.advance(8 * HOUR - MINUTE);
      pair = await rotate(h, user.client, pair.refresh_token);
      expect(pair.expires_in, 'an access token never outlives its session').to.equal(60);
      clock.advance(MINUTE);
      expectError(await refresh(h, user.client, pair.refresh_token), 401, 'authentication_error');
      expectError(await me(user, pair.access_token), 401, 'authentication_error');
    });

    it('expires access tokens after 15 minutes; the refresh token then gets a fresh one', async () => {
      const user = await h.signIn();
      clock.advance(15 * MINUTE);
      expect(expectError(await me(user, user.token), 401, 'authentication_error').message).to.equal('Token has expired');
      const pair = await rotate(h, user.client, user.refreshToken);
      expectJson(await me(user, pair.access_token), 200);
    });
  });

  describe('last_used_at', () => {
    it('moves with requests at most once a minute, and expires_at with it', async () => {
      const user = await h.signIn();
      const start = clock.now().getTime();
      clock.advance(30 * SECOND);
      const [early] = await sessionsOf(user, user.token);
      expect(Date.parse(early!.last_used_at!), 'not rewritten within the minute').to.equal(start);
      clock.advance(31 * SECOND);
      await me(user, user.token);
      const [later] = await sessionsOf(user, user.token);
      expect(Date.parse(later!.last_used_at!)).to.equal(start + 61 * SECOND);
      expect(Date.parse(later!.expires_at)).to.equal(start + 61 * SECOND + DAY);
    });
  });
}

/**
 * Waits until `count` other sessions of this PostgreSQL database wait on a lock, or 5 s have
 * passed (then the race may simply be smaller; the assertions hold either way).
 */
async function untilBlocked(context: HookContext, count: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const [row] = await context.query<{ waiting: string | number }>(
      "SELECT count(*) AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    if (Number(row?.waiting ?? 0) >= count) return;
    await sleep(10);
  }
}
