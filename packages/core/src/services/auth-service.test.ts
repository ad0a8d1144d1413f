import { AppError } from '../errors/app-error';
import { expect } from 'chai';
import { MemoryRateLimiter } from '../rate-limit/memory-rate-limiter';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import { DisabledRateLimiter } from '../rate-limit/disabled-rate-limiter';
import { AuthService, INVALID_CREDENTIALS, INVALID_REFRESH_TOKEN, REFRESH_TOKEN_REUSED, REFRESH_TOKEN_USED } from './auth-service';
import { LOGIN_LOCKED_MESSAGE } from './login-lockout';
import { RefreshTokenCodec } from '../security/refresh-token-codec';
import type { RefreshableSession } from '../repositories/session-repository';
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
  testRefreshCodec,
} from './service-fakes';
import { ExecutionContext } from '../context/execution-context';
import { createMemoryLogger } from '../testing/memory-logger';

function setup(options: { limiter?: RateLimiter; limiterEnabled?: boolean } = {}) {
  const users = fakeUserRepository();
  const sessions = fakeSessionRepository();
  const uow = fakeUnitOfWork();
  const hasher = fakeHasher();
  const tokens = fakeTokens();
  const cache = fakeCache();
  const clock = { now: Date.parse('2026-01-15T10:00:00Z') };
  const limiter = options.limiter ?? new MemoryRateLimiter({ now: () => clock.now });
  const logger = createMemoryLogger();
  const config = testConfig({ limiterEnabled: options.limiterEnabled ?? true, logger });
  const events = testEventBus(uow);
  const codec = testRefreshCodec();
  const now = () => new Date(clock.now);
  const auth = new AuthService(users, sessions, uow, hasher, tokens, cache, limiter, config, events, { now }, new ExecutionContext(), codec);
  // Login re-reads the user under a lock before opening the session: by default the row is
  // unchanged since the lookup (makeRecord's defaults).
  users.getRecordById.callsFake(async (id: number) => makeRecord({ id }));
  return { auth, users, sessions, uow, hasher, tokens, cache, clock, limiter, events, codec, logger };
}

const DAY = 86_400_000;


describe('AuthService', () => {
  describe('login', () => {
    it('returns a token pair and opens a session with the client ip, user agent and both deadlines', async () => {
      const { auth, users, sessions, tokens, clock, codec } = setup();
      users.getByUsername.withArgs('alice').resolves(makeRecord());
      const result = await auth.login({ username: 'alice', password: 'correct-horse' }, { ipAddress: '198.51.100.1', userAgent: 'ua' });
      expect(result).to.include({ accessToken: 'token-1', tokenType: 'bearer', expiresIn: 900, refreshExpiresIn: 7 * 86_400 });
      expect(result.user).to.not.have.property('hashed_password');
      const row = sessions.create.firstCall.args[0];
      expect(row).to.include({ user_id: 1, ip_address: '198.51.100.1', user_agent: 'ua' });
      expect(row.expires_at.getTime()).to.equal(clock.now + 7 * DAY);
      expect(row.absolute_expires_at.getTime()).to.equal(clock.now + 30 * DAY);
      expect(row.last_used_at?.getTime()).to.equal(clock.now);
      // The first access token carries the session's jti and cannot outlive the session.
      expect(tokens.issue.firstCall.args[0]).to.deep.equal({ userId: 1, sessionId: 50, jti: row.jti, notAfter: row.absolute_expires_at });
      const parts = codec.decode(result.refreshToken)!;
      expect(parts).to.include({ sessionId: 50, generation: 0 });
      expect(codec.isAuthentic(parts, row.jti)).to.equal(true);
      expect(row.refresh_token_hash, 'only the hash is stored').to.equal(RefreshTokenCodec.hash(parts.secret));
      expect(row.refresh_token_hash).to.not.equal(parts.secret);
    });

    it('answers 422 naming each missing credential by the name the caller sent', async () => {
      const { auth } = setup();
      const error = await expectAppError(auth.login({ username: ' ', password: '' }), 'validation_error');
      expect(error.details.map((detail) => detail.field)).to.deep.equal(['username', 'password']);
    });

    it('answers 503 before any lookup when the hashing queue has no place, and counts nothing', async () => {
      const t = setup();
      const overloaded = new AppError('service_unavailable', 'Password hashing is overloaded; try again shortly', { retryAfterSeconds: 3 });
      t.hasher.reserve = () => {
        throw overloaded;
      };
      t.users.getByUsername.withArgs('alice').resolves(makeRecord());
      const error = await expectAppError(t.auth.login({ username: 'alice', password: 'correct-horse' }, { ipAddress: '198.51.100.1' }), 'service_unavailable');
      expect([error.status, error.retryAfterSeconds]).to.deep.equal([503, 3]);
      expect(t.users.getByUsername.called || t.users.getByEmail.called, 'no lookup').to.equal(false);
      expect(t.hasher.verify.called || t.hasher.verifyDummy.called, 'no hash queued').to.equal(false);
      expect(t.events.emitted, 'no login.failed for a refusal').to.deep.equal([]);
    });

    it('gives its queue place back however the login ends before or after its hash', async () => {
      const t = setup();
      const places = { taken: 0, released: 0 };
      t.hasher.reserve = () => {
        places.taken += 1;
        return () => (places.released += 1);
      };
      t.users.getByUsername.withArgs('alice').resolves(makeRecord());
      expect(await t.auth.login({ username: 'alice', password: 'correct-horse' }, { ipAddress: '198.51.100.1' })).to.include({ tokenType: 'bearer' });
      await expectAppError(t.auth.login({ username: 'nobody', password: 'guess-password' }, { ipAddress: '198.51.100.1' }), 'authentication_error');
      t.users.getByUsername.withArgs('broken').rejects(new AppError('service_unavailable', 'Service temporarily unavailable'));
      await expectAppError(t.auth.login({ username: 'broken', password: 'guess-password' }, { ipAddress: '198.51.100.1' }), 'service_unavailable');
      expect(places).to.deep.equal({ taken: 3, released: 3 });
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

  describe('rehash on login', () => {
    it('replaces a stored hash of another kind or cost with a fresh one, only while it is unchanged', async () => {
      const { auth, users, hasher } = setup();
      users.getByUsername.withArgs('alice').resolves(makeRecord());
      hasher.needsRehash.withArgs('hashed:correct-horse').returns(true);
      hasher.hash.withArgs('correct-horse').resolves('rehashed:correct-horse');
      await auth.login({ username: 'alice', password: 'correct-horse' });
      expect(users.replaceHash.firstCall.args).to.deep.equal([1, 'hashed:correct-horse', 'rehashed:correct-horse']);
    });

    it('leaves a current hash alone', async () => {
      const { auth, users } = setup();
      users.getByUsername.withArgs('alice').resolves(makeRecord());
      await auth.login({ username: 'alice', password: 'correct-horse' });
      expect(users.replaceHash.called).to.equal(false);
    });

    it('still logs in, keeping the old hash, when the hashing queue refuses the new one', async () => {
      const { auth, users, hasher } = setup();
      users.getByUsername.withArgs('alice').resolves(makeRecord());
      hasher.needsRehash.returns(true);
      hasher.hash.rejects(new AppError('service_unavailable', 'Password hashing is overloaded; try again shortly', { retryAfterSeconds: 1 }));
      const result = await auth.login({ username: 'alice', password: 'correct-horse' });
      expect(result.accessToken).to.be.a('string');
      expect(users.replaceHash.called).to.equal(false);
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
    const claims = { sub: '1', sid: '10', jti: 'jti-x', typ: 'access' as const, iat: 1, exp: 2 };

    it('returns the user and session of the token\'s sid, writing nothing when used within the minute', async () => {
      const { auth, tokens, sessions, clock } = setup();
      tokens.verify.returns(claims);
      sessions.findActive.withArgs(10).resolves({ session: makeSession({ last_used_at: new Date(clock.now - 59_000) }), user: makeUser() });
      const context = await auth.authenticate('token');
      expect(context.user.id).to.equal(1);
      expect(context.session.id).to.equal(10);
      expect(sessions.touch.called).to.equal(false);
    });

    it('records use at most once a minute, moving the idle deadline (capped by the absolute one)', async () => {
      const { auth, tokens, sessions, clock } = setup();
      tokens.verify.returns(claims);
      const absolute = new Date(clock.now + 3 * DAY);
      sessions.findActive.resolves({ session: makeSession({ last_used_at: new Date(clock.now - 60_000), absolute_expires_at: absolute }), user: makeUser() });
      const context = await auth.authenticate('token');
      expect(sessions.touch.firstCall.args).to.deep.equal([10, { now: new Date(clock.now), expiresAt: absolute, usedBefore: new Date(clock.now - 60_000) }]);
      expect(context.session.last_used_at?.getTime()).to.equal(clock.now);
      expect(context.session.expires_at.getTime()).to.equal(absolute.getTime());
    });

    it('still authenticates when recording use fails, and logs it', async () => {
      const { auth, tokens, sessions, logger } = setup();
      tokens.verify.returns(claims);
      sessions.findActive.resolves({ session: makeSession({ last_used_at: null }), user: makeUser() });
      sessions.touch.rejects(new Error('database busy'));
      expect((await auth.authenticate('token')).session.id).to.equal(10);
      expect(logger.messages('warn')).to.deep.equal(['Recording session use failed']);
    });

    it('passes on the 401 of a bad token without touching the database', async () => {
      const { auth, tokens, sessions } = setup();
      const { AppError } = await import('../errors/app-error');
      tokens.verify.throws(new AppError('authentication_error', 'Could not validate credentials'));
      await expectAppError(auth.authenticate('bad'), 'authentication_error');
      expect(sessions.findActive.called).to.equal(false);
    });

    it('rejects a revoked, expired or unknown session with 401', async () => {
      const { auth, tokens } = setup();
      tokens.verify.returns(claims);
      await expectAppError(auth.authenticate('token'), 'authentication_error');
    });

    it('rejects a token whose subject is not the session owner with 401', async () => {
      const { auth, tokens, sessions } = setup();
      tokens.verify.returns({ ...claims, sub: '2' });
      sessions.findActive.resolves({ session: makeSession(), user: makeUser() });
      await expectAppError(auth.authenticate('token'), 'authentication_error');
    });

    it('rejects a deactivated user with 403 inactive_user', async () => {
      const { auth, tokens, sessions } = setup();
      tokens.verify.returns(claims);
      sessions.findActive.resolves({ session: makeSession(), user: makeUser({ is_active: false }) });
      await expectAppError(auth.authenticate('token'), 'inactive_user');
    });
  });

  describe('sessions', () => {
    const context = { user: makeUser(), session: makeSession() };

    it('logout revokes this session (its refresh token with it) and bumps the user\'s cache scope', async () => {
      const { auth, sessions, cache, events } = setup();
      sessions.revoke.withArgs(1, 10).resolves(true);
      await auth.logout(context);
      expect(sessions.revoke.calledOnceWith(1, 10)).to.equal(true);
      expect(events.emitted.map((e) => e.event)).to.deep.equal(['session.ended']);
      expect(cache.bump.calledWith('user:1')).to.equal(true);
    });

    it('logoutAll revokes every session and returns the count', async () => {
      const { auth, sessions, cache } = setup();
      sessions.revokeAllForUser.withArgs(1).resolves([10, 11, 12]);
      expect(await auth.logoutAll(context)).to.equal(3);
      expect(sessions.revokeAllForUser.firstCall.args).to.deep.equal([1]);
      expect(cache.bump.calledWith('user:1')).to.equal(true);
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

  describe('refresh', () => {
    type Setup = ReturnType<typeof setup>;
    const secret = (label: string) => Buffer.alloc(32, label).toString('base64url');

    /** A session at `generation`, whose current token (returned) the fake repository recognises. */
    function family(t: Setup, options: { generation?: number; rotatedAgoMs?: number; session?: object; userActive?: boolean } = {}) {
      const generation = options.generation ?? 0;
      const session = makeSession({ id: 10, jti: 'family-10', ...options.session });
      const found: RefreshableSession = {
        session,
        user: makeUser({ is_active: options.userActive ?? true }),
        refresh: {
          refresh_token_hash: RefreshTokenCodec.hash(secret(`g${generation}`)),
          previous_refresh_hash: generation > 0 ? RefreshTokenCodec.hash(secret(`g${generation - 1}`)) : null,
          refresh_generation: generation,
          rotated_at: options.rotatedAgoMs === undefined ? null : new Date(t.clock.now - options.rotatedAgoMs),
        },
      };
      t.sessions.findForRefresh.withArgs(10).resolves(found);
      const tokenOf = (g: number) => t.codec.encode({ sessionId: 10, generation: g, familyId: 'family-10', secret: secret(`g${g}`) });
      return { tokenOf, current: tokenOf(generation), found };
    }

    it('rotates the current token with a conditional update and returns a new pair', async () => {
      const t = setup();
      const { current, found } = family(t, { generation: 2, rotatedAgoMs: 60_000 });
      const result = await t.auth.refresh({ refresh_token: current });
      const rotation = t.sessions.rotate.firstCall.args[0];
      expect(rotation).to.include({ sessionId: 10, fromHash: found.refresh.refresh_token_hash, generation: 3 });
      expect(rotation.expiresAt.getTime()).to.equal(t.clock.now + 7 * DAY);
      const next = t.codec.decode(result.refreshToken)!;
      expect(next).to.include({ sessionId: 10, generation: 3 });
      expect(rotation.toHash).to.equal(RefreshTokenCodec.hash(next.secret));
      expect(result).to.include({ accessToken: 'token-1', tokenType: 'bearer', refreshExpiresIn: 7 * 86_400 });
      expect(t.tokens.issue.firstCall.args[0]).to.include({ userId: 1, sessionId: 10, jti: undefined });
      expect(t.uow.run.calledOnce).to.equal(true);
      expect(t.events.emitted.map((e) => e.event)).to.deep.equal(['session.refreshed']);
    });

    it('answers the loser of a race for the same token 401 "already used", without revoking', async () => {
      const t = setup();
      const { current } = family(t);
      t.sessions.rotate.resolves(false);
      await expectAppError(t.auth.refresh({ refresh_token: current }), 'authentication_error', REFRESH_TOKEN_USED);
      expect(t.sessions.revoke.called).to.equal(false);
      expect(t.tokens.issue.called, 'never a second pair').to.equal(false);
    });

    it('answers the token just spent within 10 s with 401 and changes nothing', async () => {
      const t = setup();
      const { tokenOf } = family(t, { generation: 1, rotatedAgoMs: 10_000 });
      await expectAppError(t.auth.refresh({ refresh_token: tokenOf(0) }), 'authentication_error', REFRESH_TOKEN_USED);
      expect(t.sessions.revoke.called).to.equal(false);
      expect(t.sessions.rotate.called).to.equal(false);
      expect(t.events.emitted).to.deep.equal([]);
    });

    it('ends the session when the spent token comes back after the window, committing before the 401', async () => {
      const t = setup();
      const { tokenOf } = family(t, { generation: 1, rotatedAgoMs: 10_001 });
      await expectAppError(t.auth.refresh({ refresh_token: tokenOf(0) }), 'authentication_error', REFRESH_TOKEN_REUSED);
      expect(t.sessions.revoke.calledOnceWith(1, 10)).to.equal(true);
      expect(t.events.emitted.map((e) => e.event)).to.deep.equal(['session.reuse_detected', 'session.ended']);
      expect(t.events.emitted[1]!.payload).to.deep.include({ session_ids: [10], reason: 'refresh_reuse', actor: null });
      expect(t.cache.bump.calledWith('user:1')).to.equal(true);
    });

    it('ends the session when a token several rotations old comes back, even within the window', async () => {
      const t = setup();
      const { tokenOf } = family(t, { generation: 4, rotatedAgoMs: 1000 });
      await expectAppError(t.auth.refresh({ refresh_token: tokenOf(1) }), 'authentication_error', REFRESH_TOKEN_REUSED);
      expect(t.sessions.revoke.calledOnceWith(1, 10)).to.equal(true);
    });

    it('refuses a malformed, forged or unknown token with 401 and ends nothing', async () => {
      const t = setup();
      const { tokenOf } = family(t, { generation: 3 });
      const forged = new RefreshTokenCodec('some-other-secret-key-of-enough-length!!').encode({ sessionId: 10, generation: 1, familyId: 'family-10', secret: secret('g1') });
      const unknown = t.codec.encode({ sessionId: 11, generation: 0, familyId: 'x', secret: secret('x') });
      for (const token of ['junk', forged, unknown, tokenOf(5)]) {
        await expectAppError(t.auth.refresh({ refresh_token: token }), 'authentication_error', INVALID_REFRESH_TOKEN);
      }
      expect(t.sessions.findForRefresh.calledWith(11)).to.equal(true);
      expect(t.sessions.revoke.called).to.equal(false);
    });

    it('refuses a revoked or expired session with 401, and an inactive user with 403, rotating nothing', async () => {
      for (const [session, code] of [
        [{ is_active: false }, 'authentication_error'],
        [{ expires_at: new Date(Date.parse('2026-01-15T10:00:00Z')) }, 'authentication_error'],
      ] as const) {
        const t = setup();
        await expectAppError(t.auth.refresh({ refresh_token: family(t, { session }).current }), code, 'Session is not active');
        expect(t.sessions.rotate.called).to.equal(false);
      }
      const t = setup();
      await expectAppError(t.auth.refresh({ refresh_token: family(t, { userActive: false }).current }), 'inactive_user');
      expect(t.sessions.rotate.called).to.equal(false);
    });

    it('answers 422 naming refresh_token when it is missing', async () => {
      const { auth } = setup();
      const error = await expectAppError(auth.refresh({} as never), 'validation_error');
      expect(error.details.map((detail) => detail.field)).to.deep.equal(['refresh_token']);
    });
  });

  describe('admin session control', () => {
    const admin = makeUser({ id: 2, is_superuser: true });

    it('lists another user\'s active sessions for a superuser, flagging the caller\'s own', async () => {
      const { auth, users, sessions } = setup();
      users.getById.withArgs(1).resolves(makeUser());
      sessions.listActiveForUser.withArgs(1).resolves([makeSession({ id: 11 }), makeSession({ id: 12 })]);
      const listed = await auth.listUserSessions(admin, 1, 12);
      expect(listed.map((session) => [session.id, session.current])).to.deep.equal([[11, false], [12, true]]);
    });

    it('ends every session of a user with session.ended reason admin_revoked', async () => {
      const { auth, users, sessions, events } = setup();
      users.getById.withArgs(1).resolves(makeUser());
      sessions.revokeAllForUser.withArgs(1).resolves([11, 12]);
      expect(await auth.endUserSessions(admin, 1)).to.equal(2);
      expect(events.emitted[0]!.payload).to.deep.equal({ user_id: 1, session_ids: [11, 12], reason: 'admin_revoked', actor: admin });
    });

    it('refuses a normal user with 403 and an unknown user with 404', async () => {
      const { auth, sessions } = setup();
      await expectAppError(auth.endUserSessions(makeUser(), 1), 'authorization_error');
      await expectAppError(auth.listUserSessions(makeUser(), 1), 'authorization_error');
      await expectAppError(auth.endUserSessions(admin, 99), 'not_found_error');
      await expectAppError(auth.listUserSessions(null, 99), 'not_found_error');
      expect(sessions.revokeAllForUser.called).to.equal(false);
    });
  });
});
