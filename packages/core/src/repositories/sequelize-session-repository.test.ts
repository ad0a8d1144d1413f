import { expect } from 'chai';
import type { NewSession, User } from '../domain/types';
import { isAppError } from '../errors/app-error';
import { useDatabaseFixture } from '../testing/database-fixture';
import { testDatabaseTargets } from '../testing/test-databases';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

for (const target of testDatabaseTargets()) {
  describe(`SequelizeSessionRepository (${target.name})`, () => {
    const fx = useDatabaseFixture(target);
    let alice: User;
    let bob: User;
    const now = new Date();
    const later = new Date(now.getTime() + 30 * MINUTE);
    const absolute = new Date(now.getTime() + 30 * DAY);
    const open = (user: User, jti: string, extra: Partial<NewSession> = {}) =>
      fx.sessions.create({ user_id: user.id, jti, expires_at: later, absolute_expires_at: absolute, refresh_token_hash: `hash-${jti}`, ...extra });

    beforeEach(async () => {
      await fx.truncate();
      alice = await fx.users.create({ email: 'alice@example.com', username: 'alice', hashed_password: 'h', full_name: 'Alice' });
      bob = await fx.users.create({ email: 'bob@example.com', username: 'bob', hashed_password: 'h' });
    });

    describe('create', () => {
      it('stores the jti, client, expiries and last use and returns a plain active session without the hash', async () => {
        const session = await open(alice, 'j-1', { ip_address: '203.0.113.9', user_agent: 'curl/8', last_used_at: now });
        expect(Object.getPrototypeOf(session)).to.equal(Object.prototype);
        expect(session).to.include({ user_id: alice.id, jti: 'j-1', ip_address: '203.0.113.9', user_agent: 'curl/8', is_active: true });
        expect(session).to.not.have.property('refresh_token_hash');
        expect(session.expires_at.toISOString()).to.equal(later.toISOString());
        expect(session.absolute_expires_at.toISOString()).to.equal(absolute.toISOString());
        expect(session.last_used_at?.toISOString()).to.equal(now.toISOString());
        expect(session.created_at).to.be.instanceOf(Date);
      });

      it('refuses a second session with the same jti', async () => {
        await open(alice, 'dup');
        const error = await open(bob, 'dup').catch((e: unknown) => e);
        expect(isAppError(error) && error.code).to.equal('conflict_error');
      });

      it('refuses a session for a user that no longer exists with a 409, not a driver error', async () => {
        const error = await open({ id: 987_654 } as User, 'orphan').catch((e: unknown) => e);
        expect(isAppError(error) && error.code).to.equal('conflict_error');
      });
    });

    describe('findActive', () => {
      it('returns the session and its user in one query', async () => {
        const created = await open(alice, 'j-2');
        const queries: string[] = [];
        fx.sequelize.addHook('beforeQuery', 'count', (_options, query) => void queries.push((query as unknown as { sql: string }).sql));
        const found = await fx.sessions.findActive(created.id, now).finally(() => fx.sequelize.removeHook('beforeQuery', 'count'));
        expect(queries).to.have.length(1);
        expect(found?.session).to.deep.equal(created);
        expect(found?.user).to.deep.equal(alice);
      });

      it('ignores revoked, expired and unknown sessions', async () => {
        const revoked = await open(alice, 'revoked');
        await fx.sessions.revoke(alice.id, revoked.id);
        const expired = await open(alice, 'expired', { expires_at: new Date(now.getTime() - 1) });
        const edge = await open(alice, 'edge', { expires_at: now });
        for (const id of [revoked.id, expired.id, edge.id, 999_999]) expect(await fx.sessions.findActive(id, now)).to.equal(null);
      });

      it('still returns the session of an inactive user, flagged inactive', async () => {
        const session = await open(bob, 'j-bob');
        await fx.users.update(bob.id, { is_active: false });
        expect((await fx.sessions.findActive(session.id, now))?.user.is_active).to.equal(false);
      });
    });

    describe('findForRefresh', () => {
      it('returns the session in any state with its user and refresh state', async () => {
        const session = await open(alice, 'r-1');
        await fx.sessions.revoke(alice.id, session.id);
        const found = await fx.sessions.findForRefresh(session.id);
        expect(found?.session.is_active).to.equal(false);
        expect(found?.user.id).to.equal(alice.id);
        expect(found?.refresh).to.deep.equal({ refresh_token_hash: 'hash-r-1', previous_refresh_hash: null, refresh_generation: 0, rotated_at: null });
        expect(await fx.sessions.findForRefresh(999_999)).to.equal(null);
      });
    });

    describe('rotate', () => {
      const rotation = (sessionId: number, fromHash: string, toHash: string) => ({
        sessionId,
        fromHash,
        toHash,
        generation: 1,
        now: new Date(now.getTime() + MINUTE),
        expiresAt: new Date(now.getTime() + DAY),
      });

      it('replaces the current hash, keeps its predecessor and records the rotation', async () => {
        const session = await open(alice, 'rot');
        expect(await fx.sessions.rotate(rotation(session.id, 'hash-rot', 'next'))).to.equal(true);
        const found = await fx.sessions.findForRefresh(session.id);
        expect(found?.refresh).to.deep.include({ refresh_token_hash: 'next', previous_refresh_hash: 'hash-rot', refresh_generation: 1 });
        expect(found?.refresh.rotated_at?.getTime()).to.equal(now.getTime() + MINUTE);
        expect(found?.session.last_used_at?.getTime()).to.equal(now.getTime() + MINUTE);
        expect(found?.session.expires_at.getTime()).to.equal(now.getTime() + DAY);
      });

      it('changes nothing when the hash is no longer current or the session was revoked', async () => {
        const session = await open(alice, 'stale');
        expect(await fx.sessions.rotate(rotation(session.id, 'hash-stale', 'one'))).to.equal(true);
        expect(await fx.sessions.rotate(rotation(session.id, 'hash-stale', 'two'))).to.equal(false);
        await fx.sessions.revoke(alice.id, session.id);
        expect(await fx.sessions.rotate(rotation(session.id, 'one', 'three'))).to.equal(false);
        expect((await fx.sessions.findForRefresh(session.id))?.refresh.refresh_token_hash).to.equal('one');
      });

      it('lets exactly one of several concurrent transactions rotate the same hash', async () => {
        const session = await open(alice, 'race');
        const outcomes = await Promise.all(
          Array.from({ length: 6 }, (_, i) => fx.uow.run(() => fx.sessions.rotate(rotation(session.id, 'hash-race', `n-${i}`)))),
        );
        expect(outcomes.filter(Boolean)).to.have.length(1);
        const winner = outcomes.indexOf(true);
        expect((await fx.sessions.findForRefresh(session.id))?.refresh.refresh_token_hash).to.equal(`n-${winner}`);
      });
    });

    describe('touch', () => {
      it('writes only when the last use is at or before usedBefore, and never on a revoked session', async () => {
        const session = await open(alice, 't-1', { last_used_at: now });
        const at = (ms: number) => new Date(now.getTime() + ms);
        expect(await fx.sessions.touch(session.id, { now: at(30_000), expiresAt: at(DAY), usedBefore: at(-30_000) })).to.equal(false);
        expect(await fx.sessions.touch(session.id, { now: at(MINUTE), expiresAt: at(DAY), usedBefore: now })).to.equal(true);
        const found = await fx.sessions.findActive(session.id, now);
        expect(found?.session.last_used_at?.getTime()).to.equal(now.getTime() + MINUTE);
        expect(found?.session.expires_at.getTime()).to.equal(now.getTime() + DAY);
        await fx.sessions.revoke(alice.id, session.id);
        expect(await fx.sessions.touch(session.id, { now: at(3 * MINUTE), expiresAt: at(DAY), usedBefore: at(2 * MINUTE) })).to.equal(false);
      });

      it('writes a session never used', async () => {
        const session = await open(alice, 't-2');
        expect(await fx.sessions.touch(session.id, { now, expiresAt: later, usedBefore: now })).to.equal(true);
      });
    });

    describe('revoke', () => {
      it('revokes only the owner\'s active session', async () => {
        const session = await open(alice, 'j-3');
        expect(await fx.sessions.revoke(bob.id, session.id)).to.equal(false);
        expect(await fx.sessions.revoke(alice.id, session.id)).to.equal(true);
        expect(await fx.sessions.revoke(alice.id, session.id)).to.equal(false);
      });

      it('revokes every session of a user except the current one', async () => {
        const keep = await open(alice, 'a-1');
        await open(alice, 'a-2');
        await open(alice, 'a-3');
        const theirs = await open(bob, 'b-1');
        const ended = await fx.sessions.revokeAllForUser(alice.id, keep.id);
        expect(ended).to.have.length(2).and.not.include(keep.id);
        expect((await fx.sessions.listActiveForUser(alice.id, now)).map((s) => s.jti)).to.deep.equal(['a-1']);
        expect(await fx.sessions.revokeAllForUser(alice.id)).to.deep.equal([keep.id]);
        expect(await fx.sessions.findActive(theirs.id, now)).to.not.equal(null);
      });
    });

    describe('listActiveForUser', () => {
      it('lists own active, unexpired sessions newest first', async () => {
        const first = await open(alice, 'l-1');
        const second = await open(alice, 'l-2');
        await open(alice, 'l-old', { expires_at: new Date(now.getTime() - MINUTE) });
        await open(bob, 'l-bob');
        const listed = await fx.sessions.listActiveForUser(alice.id, now);
        expect(listed.map((s) => s.id)).to.deep.equal([second.id, first.id]);
        expect(listed[0]).to.not.have.property('refresh_token_hash');
      });
    });

    describe('purgeExpired', () => {
      it('deletes expired and revoked sessions and keeps live ones', async () => {
        await open(alice, 'p-live');
        await open(alice, 'p-old', { expires_at: new Date(now.getTime() - MINUTE) });
        const revoked = await open(bob, 'p-revoked');
        await fx.sessions.revoke(bob.id, revoked.id);
        expect(await fx.sessions.purgeExpired(now)).to.equal(2);
        expect(await fx.models.SessionModel.count()).to.equal(1);
      });
    });

    describe('cascade', () => {
      it('deletes a user\'s sessions with the user', async () => {
        const gone = await open(alice, 'c-1');
        await open(bob, 'c-2');
        await fx.users.delete(alice.id);
        expect(await fx.sessions.findActive(gone.id, now)).to.equal(null);
        expect(await fx.models.SessionModel.count()).to.equal(1);
      });
    });
  });
}
