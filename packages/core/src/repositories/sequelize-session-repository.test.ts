import { expect } from 'chai';
import type { User } from '../domain/types';
import { isAppError } from '../errors/app-error';
import { useDatabaseFixture } from '../testing/database-fixture';
import { testDatabaseTargets } from '../testing/test-databases';

const MINUTE = 60_000;

for (const target of testDatabaseTargets()) {
  describe(`SequelizeSessionRepository (${target.name})`, () => {
    const fx = useDatabaseFixture(target);
    let alice: User;
    let bob: User;
    const now = new Date();
    const later = new Date(now.getTime() + 30 * MINUTE);

    beforeEach(async () => {
      await fx.truncate();
      alice = await fx.users.create({ email: 'alice@example.com', username: 'alice', hashed_password: 'h', full_name: 'Alice' });
      bob = await fx.users.create({ email: 'bob@example.com', username: 'bob', hashed_password: 'h' });
    });

    describe('create', () => {
      it('stores the jti, client and expiry and returns a plain active session', async () => {
        const session = await fx.sessions.create({ user_id: alice.id, jti: 'j-1', ip_address: '203.0.113.9', user_agent: 'curl/8', expires_at: later });
        expect(Object.getPrototypeOf(session)).to.equal(Object.prototype);
        expect(session).to.include({ user_id: alice.id, jti: 'j-1', ip_address: '203.0.113.9', user_agent: 'curl/8', is_active: true, last_used_at: null });
        expect(session.expires_at.toISOString()).to.equal(later.toISOString());
        expect(session.created_at).to.be.instanceOf(Date);
      });

      it('refuses a second session with the same jti', async () => {
        await fx.sessions.create({ user_id: alice.id, jti: 'dup', expires_at: later });
        const error = await fx.sessions.create({ user_id: bob.id, jti: 'dup', expires_at: later }).catch((e: unknown) => e);
        expect(isAppError(error) && error.code).to.equal('conflict_error');
      });

      it('refuses a session for a user that no longer exists with a 409, not a driver error', async () => {
        const error = await fx.sessions.create({ user_id: 987_654, jti: 'orphan', expires_at: later }).catch((e: unknown) => e);
        expect(isAppError(error) && error.code).to.equal('conflict_error');
      });
    });

    describe('findActiveByJti', () => {
      it('returns the session and its user in one query', async () => {
        const created = await fx.sessions.create({ user_id: alice.id, jti: 'j-2', expires_at: later });
        const queries: string[] = [];
        fx.sequelize.addHook('beforeQuery', 'count', (_options, query) => void queries.push((query as unknown as { sql: string }).sql));
        const found = await fx.sessions.findActiveByJti('j-2', now).finally(() => fx.sequelize.removeHook('beforeQuery', 'count'));
        expect(queries).to.have.length(1);
        expect(found?.session).to.deep.equal(created);
        expect(found?.user).to.deep.equal(alice);
      });

      it('ignores revoked, expired and unknown sessions', async () => {
        await fx.sessions.create({ user_id: alice.id, jti: 'revoked', expires_at: later });
        await fx.sessions.revokeByJti('revoked');
        await fx.sessions.create({ user_id: alice.id, jti: 'expired', expires_at: new Date(now.getTime() - 1) });
        await fx.sessions.create({ user_id: alice.id, jti: 'edge', expires_at: now });
        expect(await fx.sessions.findActiveByJti('revoked', now)).to.equal(null);
        expect(await fx.sessions.findActiveByJti('expired', now)).to.equal(null);
        expect(await fx.sessions.findActiveByJti('edge', now)).to.equal(null);
        expect(await fx.sessions.findActiveByJti('missing', now)).to.equal(null);
      });

      it('still returns the session of an inactive user, flagged inactive', async () => {
        await fx.sessions.create({ user_id: bob.id, jti: 'j-bob', expires_at: later });
        await fx.users.update(bob.id, { is_active: false });
        expect((await fx.sessions.findActiveByJti('j-bob', now))?.user.is_active).to.equal(false);
      });
    });

    describe('revoke', () => {
      it('revokes only the owner\'s active session', async () => {
        const session = await fx.sessions.create({ user_id: alice.id, jti: 'j-3', expires_at: later });
        expect(await fx.sessions.revoke(bob.id, session.id)).to.equal(false);
        expect(await fx.sessions.revoke(alice.id, session.id)).to.equal(true);
        expect(await fx.sessions.revoke(alice.id, session.id)).to.equal(false);
        expect(await fx.sessions.revokeByJti('j-3')).to.equal(false);
      });

      it('revokes every session of a user except the current one', async () => {
        const keep = await fx.sessions.create({ user_id: alice.id, jti: 'a-1', expires_at: later });
        await fx.sessions.create({ user_id: alice.id, jti: 'a-2', expires_at: later });
        await fx.sessions.create({ user_id: alice.id, jti: 'a-3', expires_at: later });
        await fx.sessions.create({ user_id: bob.id, jti: 'b-1', expires_at: later });
        const ended = await fx.sessions.revokeAllForUser(alice.id, keep.id);
        expect(ended).to.have.length(2).and.not.include(keep.id);
        expect((await fx.sessions.listActiveForUser(alice.id, now)).map((s) => s.jti)).to.deep.equal(['a-1']);
        expect(await fx.sessions.revokeAllForUser(alice.id)).to.deep.equal([keep.id]);
        expect(await fx.sessions.findActiveByJti('b-1', now)).to.not.equal(null);
      });
    });

    describe('listActiveForUser', () => {
      it('lists own active, unexpired sessions newest first', async () => {
        const first = await fx.sessions.create({ user_id: alice.id, jti: 'l-1', expires_at: later });
        const second = await fx.sessions.create({ user_id: alice.id, jti: 'l-2', expires_at: later });
        await fx.sessions.create({ user_id: alice.id, jti: 'l-old', expires_at: new Date(now.getTime() - MINUTE) });
        await fx.sessions.create({ user_id: bob.id, jti: 'l-bob', expires_at: later });
        const listed = await fx.sessions.listActiveForUser(alice.id, now);
        expect(listed.map((s) => s.id)).to.deep.equal([second.id, first.id]);
      });
    });

    describe('purgeExpired', () => {
      it('deletes expired and revoked sessions and keeps live ones', async () => {
        await fx.sessions.create({ user_id: alice.id, jti: 'p-live', expires_at: later });
        await fx.sessions.create({ user_id: alice.id, jti: 'p-old', expires_at: new Date(now.getTime() - MINUTE) });
        await fx.sessions.create({ user_id: bob.id, jti: 'p-revoked', expires_at: later });
        await fx.sessions.revokeByJti('p-revoked');
        expect(await fx.sessions.purgeExpired(now)).to.equal(2);
        expect(await fx.models.SessionModel.count()).to.equal(1);
      });
    });

    describe('cascade', () => {
      it('deletes a user\'s sessions with the user', async () => {
        await fx.sessions.create({ user_id: alice.id, jti: 'c-1', expires_at: later });
        await fx.sessions.create({ user_id: bob.id, jti: 'c-2', expires_at: later });
        await fx.users.delete(alice.id);
        expect(await fx.sessions.findActiveByJti('c-1', now)).to.equal(null);
        expect(await fx.models.SessionModel.count()).to.equal(1);
      });
    });
  });
}
