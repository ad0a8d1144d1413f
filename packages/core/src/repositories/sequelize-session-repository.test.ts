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
      alice = await fx.users.create({ email: 'alice@example.com', username: 'alice', hashedPassword: 'h', fullName: 'Alice' });
      bob = await fx.users.create({ email: 'bob@example.com', username: 'bob', hashedPassword: 'h' });
    });

    describe('create', () => {
      it('stores the jti, client and expiry and returns a plain active session', async () => {
        const session = await fx.sessions.create({ userId: alice.id, jti: 'j-1', ipAddress: '203.0.113.9', userAgent: 'curl/8', expiresAt: later });
        expect(Object.getPrototypeOf(session)).to.equal(Object.prototype);
        expect(session).to.include({ userId: alice.id, jti: 'j-1', ipAddress: '203.0.113.9', userAgent: 'curl/8', isActive: true, lastUsedAt: null });
        expect(session.expiresAt.toISOString()).to.equal(later.toISOString());
        expect(session.createdAt).to.be.instanceOf(Date);
      });

      it('refuses a second session with the same jti', async () => {
        await fx.sessions.create({ userId: alice.id, jti: 'dup', expiresAt: later });
        const error = await fx.sessions.create({ userId: bob.id, jti: 'dup', expiresAt: later }).catch((e: unknown) => e);
        expect(isAppError(error) && error.code).to.equal('conflict_error');
      });

      it('refuses a session for a user that no longer exists with a 409, not a driver error', async () => {
        const error = await fx.sessions.create({ userId: 987_654, jti: 'orphan', expiresAt: later }).catch((e: unknown) => e);
        expect(isAppError(error) && error.code).to.equal('conflict_error');
      });
    });

    describe('findActiveByJti', () => {
      it('returns the session and its user in one query', async () => {
        const created = await fx.sessions.create({ userId: alice.id, jti: 'j-2', expiresAt: later });
        const queries: string[] = [];
        fx.sequelize.addHook('beforeQuery', 'count', (_options, query) => void queries.push((query as unknown as { sql: string }).sql));
        const found = await fx.sessions.findActiveByJti('j-2', now).finally(() => fx.sequelize.removeHook('beforeQuery', 'count'));
        expect(queries).to.have.length(1);
        expect(found?.session).to.deep.equal(created);
        expect(found?.user).to.deep.equal(alice);
      });

      it('ignores revoked, expired and unknown sessions', async () => {
        await fx.sessions.create({ userId: alice.id, jti: 'revoked', expiresAt: later });
        await fx.sessions.revokeByJti('revoked');
        await fx.sessions.create({ userId: alice.id, jti: 'expired', expiresAt: new Date(now.getTime() - 1) });
        await fx.sessions.create({ userId: alice.id, jti: 'edge', expiresAt: now });
        expect(await fx.sessions.findActiveByJti('revoked', now)).to.equal(null);
        expect(await fx.sessions.findActiveByJti('expired', now)).to.equal(null);
        expect(await fx.sessions.findActiveByJti('edge', now)).to.equal(null);
        expect(await fx.sessions.findActiveByJti('missing', now)).to.equal(null);
      });

      it('still returns the session of an inactive user, flagged inactive', async () => {
        await fx.sessions.create({ userId: bob.id, jti: 'j-bob', expiresAt: later });
        await fx.users.update(bob.id, { isActive: false });
        expect((await fx.sessions.findActiveByJti('j-bob', now))?.user.isActive).to.equal(false);
      });
    });

    describe('revoke', () => {
      it('revokes only the owner\'s active session', async () => {
        const session = await fx.sessions.create({ userId: alice.id, jti: 'j-3', expiresAt: later });
        expect(await fx.sessions.revoke(bob.id, session.id)).to.equal(false);
        expect(await fx.sessions.revoke(alice.id, session.id)).to.equal(true);
        expect(await fx.sessions.revoke(alice.id, session.id)).to.equal(false);
        expect(await fx.sessions.revokeByJti('j-3')).to.equal(false);
      });

      it('revokes every session of a user except the current one', async () => {
        const keep = await fx.sessions.create({ userId: alice.id, jti: 'a-1', expiresAt: later });
        await fx.sessions.create({ userId: alice.id, jti: 'a-2', expiresAt: later });
        await fx.sessions.create({ userId: alice.id, jti: 'a-3', expiresAt: later });
        await fx.sessions.create({ userId: bob.id, jti: 'b-1', expiresAt: later });
        expect(await fx.sessions.revokeAllForUser(alice.id, keep.id)).to.equal(2);
        expect((await fx.sessions.listActiveForUser(alice.id, now)).map((s) => s.jti)).to.deep.equal(['a-1']);
        expect(await fx.sessions.revokeAllForUser(alice.id)).to.equal(1);
        expect(await fx.sessions.findActiveByJti('b-1', now)).to.not.equal(null);
      });
    });

    describe('listActiveForUser', () => {
      it('lists own active, unexpired sessions newest first', async () => {
        const first = await fx.sessions.create({ userId: alice.id, jti: 'l-1', expiresAt: later });
        const second = await fx.sessions.create({ userId: alice.id, jti: 'l-2', expiresAt: later });
        await fx.sessions.create({ userId: alice.id, jti: 'l-old', expiresAt: new Date(now.getTime() - MINUTE) });
        await fx.sessions.create({ userId: bob.id, jti: 'l-bob', expiresAt: later });
        const listed = await fx.sessions.listActiveForUser(alice.id, now);
        expect(listed.map((s) => s.id)).to.deep.equal([second.id, first.id]);
      });
    });

    describe('purgeExpired', () => {
      it('deletes expired and revoked sessions and keeps live ones', async () => {
        await fx.sessions.create({ userId: alice.id, jti: 'p-live', expiresAt: later });
        await fx.sessions.create({ userId: alice.id, jti: 'p-old', expiresAt: new Date(now.getTime() - MINUTE) });
        await fx.sessions.create({ userId: bob.id, jti: 'p-revoked', expiresAt: later });
        await fx.sessions.revokeByJti('p-revoked');
        expect(await fx.sessions.purgeExpired(now)).to.equal(2);
        expect(await fx.models.SessionModel.count()).to.equal(1);
      });
    });

    describe('cascade', () => {
      it('deletes a user\'s sessions with the user', async () => {
        await fx.sessions.create({ userId: alice.id, jti: 'c-1', expiresAt: later });
        await fx.sessions.create({ userId: bob.id, jti: 'c-2', expiresAt: later });
        await fx.users.delete(alice.id);
        expect(await fx.sessions.findActiveByJti('c-1', now)).to.equal(null);
        expect(await fx.models.SessionModel.count()).to.equal(1);
      });
    });
  });
}
