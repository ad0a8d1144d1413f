import { expect } from 'chai';
import { MemoryRateLimiter } from '../rate-limit/memory-rate-limiter';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import { DisabledRateLimiter } from '../rate-limit/disabled-rate-limiter';
import { AuthService, INVALID_CREDENTIALS } from './auth-service';
import { LOGIN_LOCKED_MESSAGE } from './login-lockout';
import {
  expectAppError,
  fakeCache,
  fakeHasher,
  fakeSessionRepository,
  fakeTokens,
  fakeUnitOfWork,
  fakeUserRepository,
  makeRecord,
  makeSession,
  makeUser,
  testConfig,
  testEventBus,
} from './service-fakes';
import { ExecutionContext } from '../context/execution-context';

function setup(options: { limiter?: RateLimiter; limiterEnabled?: boolean } = {}) {
  const users = fakeUserRepository();
  const sessions = fakeSessionRepository();
  const uow = fakeUnitOfWork();
  const hasher = fakeHasher();
  const tokens = fakeTokens();
  const cache = fakeCache();
  const clock = { now: Date.parse('2026-01-15T10:00:00Z') };
  const limiter = options.limiter ?? new MemoryRateLimiter({ now: () => clock.now });
  const config = testConfig({ limiterEnabled: options.limiterEnabled ?? true });
  const events = testEventBus(uow);
  const auth = new AuthService(users, sessions, uow, hasher, tokens, cache, limiter, config, events, { now: () => new Date(clock.now) }, new ExecutionContext());
  // Login re-reads the user under a lock before opening the session: by default the row is
  // unchanged since the lookup (makeRecord's defaults).
  users.getRecordById.callsFake(async (id: number) => makeRecord({ id }));
  return { auth, users, sessions, uow, hasher, tokens, cache, clock, limiter, events };
}


describe('AuthService', () => {
  describe('login', () => {
    it('returns a bearer token and opens a session with the client ip and user agent', async () => {
      const { auth, users, sessions } = setup();
      users.getByUsername.withArgs('alice').resolves(makeRecord());
      const result = await auth.login({ username: 'alice', password: 'correct-horse' }, { ipAddress: '198.51.100.1', userAgent: 'ua' });
      expect(result).to.include({ accessToken: 'token-1', tokenType: 'bearer', expiresIn: 1800 });
      expect(result.user).to.not.have.property('hashed_password');
      expect(sessions.create.firstCall.args[0]).to.include({ user_id: 1, jti: 'jti-1', ip_address: '198.51.100.1', user_agent: 'ua' });
      expect(result.session.jti).to.equal('jti-1');
    });

    it('answers 422 naming each missing credential by the name the caller sent', async () => {
      const { auth } = setup();
      const error = await expectAppError(auth.login({ username: ' ', password: '' }), 'validation_error');
      expect(error.details.map((detail) => detail.field)).to.deep.equal(['username', 'password']);
    });

    it('finds a user by email case-insensitively and by username in another case', async () => {
      const { auth, users } = setup();
      users.getByEmail.withArgs('alice@example.com').resolves(makeRecord());
      users.getByUsernameInsensitive.withArgs('ALICE').resolves(makeRecord());
      await auth.login({ username: ' ALICE@example.com', password: 'correct-horse' });
      await auth.login({ username: 'ALICE', password: 'correct-horse' });
    });

    it('gives a wrong password and an unknown user the same 401, checking a dummy hash for the unknown one', async () => {
      const { auth, users, hasher } = setup();
      users.getByUsername.withArgs('alice').resolves(makeRecord());
      const wrong = await expectAppError(auth.login({ username: 'alice', password: 'wrong-pass' }), 'authentication_error');
      const unknown = await expectAppError(auth.login({ username: 'nobody', password: 'wrong-pass' }), 'authentication_error');
      expect(wrong.message).to.equal(INVALID_CREDENTIALS);
      expect(unknown.message).to.equal(INVALID_CREDENTIALS);
      expect(hasher.verifyDummy.calledOnceWith('wrong-pass')).to.equal(true);
    });

    it('says "User account is inactive" only after the password matched', async () => {
      const { auth, users, sessions } = setup();
      users.getByUsername.withArgs('alice').resolves(makeRecord({ is_active: false }));
      await expectAppError(auth.login({ username: 'alice', password: 'wrong-pass' }), 'authentication_error', INVALID_CREDENTIALS);
      await expectAppError(auth.login({ username: 'alice', password: 'correct-horse' }), 'authentication_error', 'User account is inactive');
      expect(sessions.create.called).to.equal(false);
    });
  });

  describe('login racing a password change', () => {
    it('opens no session when the password changed between the check and the session (401)', async () => {
      const { auth, users, sessions, uow } = setup();
      users.getByUsername.withArgs('alice').resolves(makeRecord());
      users.getRecordById.callsFake(async (id: number) => makeRecord({ id }, 'changed-password'));
      await expectAppError(auth.login({ username: 'alice', password: 'correct-horse' }), 'authentication_error', INVALID_CREDENTIALS);
      expect(sessions.create.called).to.equal(false);
      expect(users.getRecordById.firstCall.args[1]).to.deep.equal({ lock: true });
      expect(uow.run.called, 'the re-read and the insert share one transaction').to.equal(true);
    });
  });

  describe('login client info', () => {
    it('stores a valid IP and drops one that is not an address (a forged X-Forwarded-For)', async () => {
      const { auth, users, sessions } = setup();
      users.getByUsername.withArgs('alice').resolves(makeRecord());
      await auth.login({ username: 'alice', password: 'correct-horse' }, { ipAddress: '2001:db8::1', userAgent: 'curl/8' });
      await auth.login({ username: 'alice', password: 'correct-horse' }, { ipAddress: 'x'.repeat(60) });
      expect(sessions.create.firstCall.args[0]).to.include({ ip_address: '2001:db8::1', user_agent: 'curl/8' });
      expect(sessions.create.secondCall.args[0]).to.include({ ip_address: null });
    });
  });

  describe('login lockout', () => {
    async function fail(auth: AuthService, ip: string, username = 'alice') {
      return expectAppError(auth.login({ username, password: 'wrong-pass' }, { ipAddress: ip }), 'authentication_error');
    }

    it('refuses the (account, IP) pair with 429 after 5 failures, even with the right password; another IP logs in', async () => {
      const { auth, users, hasher } = setup();
      users.getByUsername.withArgs('alice').resolves(makeRecord());
      for (let i = 0; i < 5; i += 1) await fail(auth, '198.51.100.1');
      const verifications = hasher.verify.callCount;
      const locked = await expectAppError(
        auth.login({ username: 'alice', password: 'correct-horse' }, { ipAddress: '198.51.100.1' }),
        'rate_limit_error',
        LOGIN_LOCKED_MESSAGE,
      );
      expect(locked.retryAfterSeconds).to.equal(30);
      expect(hasher.verify.callCount, 'no password check while locked').to.equal(verifications);
      const other = await auth.login({ username: 'alice', password: 'correct-horse' }, { ipAddress: '192.0.2.200' });
      expect(other.accessToken).to.be.a('string');
    });

    it('lets the owner in from an IP it logged in from before while 50 other IPs fail 5 times each', async () => {
      const { auth, users } = setup();
      users.getByUsername.withArgs('alice').resolves(makeRecord());
      await auth.login({ username: 'alice', password: 'correct-horse' }, { ipAddress: '192.0.2.10' });
      for (let ip = 0; ip < 50; ip += 1) {
        for (let i = 0; i < 5; i += 1) {
          await auth.login({ username: 'alice', password: 'wrong-pass' }, { ipAddress: `198.51.100.${ip}` }).catch(() => {});
        }
      }
      await expectAppError(auth.login({ username: 'alice', password: 'correct-horse' }, { ipAddress: '192.0.2.99' }), 'rate_limit_error');
      const owner = await auth.login({ username: 'alice', password: 'correct-horse' }, { ipAddress: '192.0.2.10' });
      expect(owner.accessToken).to.be.a('string');
    });

    it('lets at most 5 of many concurrent attempts from one IP reach a password check', async () => {
      const { auth, users, hasher } = setup();
      users.getByUsername.withArgs('alice').resolves(makeRecord());
      // Slow checks keep every attempt in flight at once, as bcrypt does.
      hasher.verify.callsFake(async (password, hash) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return hash === `hashed:${password}`;
      });
      const attempts = Array.from({ length: 20 }, (_, i) =>
        auth.login({ username: 'alice', password: i === 12 ? 'correct-horse' : 'wrong-pass' }, { ipAddress: '198.51.100.1' }).then(
          () => 'ok',
          (error: { code?: string }) => error.code,
        ),
      );
      const outcomes = await Promise.all(attempts);
      expect(hasher.verify.callCount).to.equal(5);
      expect(outcomes.filter((code) => code === 'rate_limit_error')).to.have.length(15);
      await expectAppError(auth.login({ username: 'alice', password: 'correct-horse' }, { ipAddress: '198.51.100.1' }), 'rate_limit_error');
    });

    it('lets the account in after the delay and doubles the delay on the next lock', async () => {
      const { auth, users, clock } = setup();
      users.getByUsername.withArgs('alice').resolves(makeRecord());
      for (let i = 0; i < 5; i += 1) await fail(auth, '198.51.100.1');
      clock.now += 31_000;
      for (let i = 0; i < 5; i += 1) await fail(auth, '198.51.100.1');
      const second = await expectAppError(auth.login({ username: 'alice', password: 'x-password' }, { ipAddress: '198.51.100.1' }), 'rate_limit_error');
      expect(second.retryAfterSeconds).to.equal(60);
      clock.now += 61_000;
      const result = await auth.login({ username: 'alice', password: 'correct-horse' }, { ipAddress: '198.51.100.1' });
      expect(result.accessToken).to.be.a('string');
    });

    it('resets the consecutive count on a successful login', async () => {
      const { auth, users } = setup();
      users.getByUsername.withArgs('alice').resolves(makeRecord());
      for (let i = 0; i < 4; i += 1) await fail(auth, '198.51.100.1');
      await auth.login({ username: 'alice', password: 'correct-horse' }, { ipAddress: '198.51.100.1' });
      for (let i = 0; i < 4; i += 1) await fail(auth, '198.51.100.1');
      await auth.login({ username: 'alice', password: 'correct-horse' }, { ipAddress: '198.51.100.1' });
    });

    it('locks an unknown identifier whatever its case', async () => {
      const { auth } = setup();
      for (let i = 0; i < 5; i += 1) await fail(auth, '198.51.100.1', i % 2 ? 'Ghost' : 'ghost');
      await expectAppError(auth.login({ username: 'GHOST', password: 'wrong-pass' }, { ipAddress: '198.51.100.1' }), 'rate_limit_error');
    });

    it('does not lock when the limiter is disabled', async () => {
      const { auth, users } = setup({ limiter: new DisabledRateLimiter(), limiterEnabled: false });
      users.getByUsername.withArgs('alice').resolves(makeRecord());
      for (let i = 0; i < 7; i += 1) await fail(auth, '198.51.100.1');
      await auth.login({ username: 'alice', password: 'correct-horse' });
    });
  });

  describe('authenticate', () => {
    const claims = { sub: '1', jti: 'jti-10', iat: 1, exp: 2 };

    it('returns the user and session of an active session', async () => {
      const { auth, tokens, sessions } = setup();
      tokens.verify.returns(claims);
      sessions.findActiveByJti.withArgs('jti-10').resolves({ session: makeSession(), user: makeUser() });
      const context = await auth.authenticate('token');
      expect(context.user.id).to.equal(1);
      expect(context.session.id).to.equal(10);
    });

    it('passes on the 401 of a bad token without touching the database', async () => {
      const { auth, tokens, sessions } = setup();
      const { AppError } = await import('../errors/app-error');
      tokens.verify.throws(new AppError('authentication_error', 'Could not validate credentials'));
      await expectAppError(auth.authenticate('bad'), 'authentication_error');
      expect(sessions.findActiveByJti.called).to.equal(false);
    });

    it('rejects a revoked, expired or unknown session with 401', async () => {
      const { auth, tokens } = setup();
      tokens.verify.returns(claims);
      await expectAppError(auth.authenticate('token'), 'authentication_error');
    });

    it('rejects a token whose subject is not the session owner with 401', async () => {
      const { auth, tokens, sessions } = setup();
      tokens.verify.returns({ ...claims, sub: '2' });
      sessions.findActiveByJti.resolves({ session: makeSession(), user: makeUser() });
      await expectAppError(auth.authenticate('token'), 'authentication_error');
    });

    it('rejects a deactivated user with 403 inactive_user', async () => {
      const { auth, tokens, sessions } = setup();
      tokens.verify.returns(claims);
      sessions.findActiveByJti.resolves({ session: makeSession(), user: makeUser({ is_active: false }) });
      await expectAppError(auth.authenticate('token'), 'inactive_user');
    });
  });

  describe('sessions', () => {
    const context = { user: makeUser(), session: makeSession() };

    it('logout revokes this session and drops the user cache keys', async () => {
      const { auth, sessions, cache } = setup();
      await auth.logout(context);
      expect(sessions.revokeByJti.calledOnceWith('jti-10')).to.equal(true);
      expect(cache.delete.calledWith('auth:me:1', 'users:1')).to.equal(true);
    });

    it('logoutAll revokes every session and returns the count', async () => {
      const { auth, sessions, cache } = setup();
      sessions.revokeAllForUser.withArgs(1).resolves([10, 11, 12]);
      expect(await auth.logoutAll(context)).to.equal(3);
      expect(sessions.revokeAllForUser.firstCall.args).to.deep.equal([1]);
      expect(cache.delete.calledWith('auth:me:1', 'users:1')).to.equal(true);
    });

    it('listSessions flags the current session', async () => {
      const { auth, sessions } = setup();
      sessions.listActiveForUser.resolves([makeSession({ id: 11 }), makeSession()]);
      const listed = await auth.listSessions(context);
      expect(listed.map((session) => [session.id, session.current])).to.deep.equal([[11, false], [10, true]]);
    });

    it('revokeSession answers 404 for a session that is not the caller’s own active one', async () => {
      const { auth, sessions } = setup();
      sessions.revoke.withArgs(1, 11).resolves(true);
      await auth.revokeSession(context, 11);
      await expectAppError(auth.revokeSession(context, 99), 'not_found_error');
    });
  });
});
