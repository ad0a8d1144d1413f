import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { inject, injectable } from 'inversify';
import { CACHE, cacheKeys, type Cache } from '../cache/cache';
import { CLOCK, type Clock } from '../clock/clock';
import { CORE_CONFIG, type CoreConfig } from '../config/options';
import { EXECUTION_CONTEXT, type ExecutionContext } from '../context/execution-context';
import { UNIT_OF_WORK, type UnitOfWork } from '../database/unit-of-work';
import type { AuthContext, ClientInfo, Session, User, UserRecord } from '../domain/types';
import { authenticationError, authorizationError, emailNotVerifiedError, inactiveUserError, isAppError, notFoundError } from '../errors/app-error';
import type { LoginFailureReason, SessionEndReason } from '../events/core-events';
import { EVENT_BUS, type EventBus } from '../events/event-bus';
import { RATE_LIMITER, type RateLimiter } from '../rate-limit/rate-limiter';
import { SESSION_REPOSITORY, type SessionRepository } from '../repositories/session-repository';
import { USER_REPOSITORY, type UserRepository } from '../repositories/user-repository';
import { refreshSchema, type RefreshInput } from '../schemas/auth';
import { validate } from '../schemas/input';
import { loginSchema, type LoginInput } from '../schemas/user';
import { PASSWORD_HASHER, type HashOptions, type PasswordHasher } from '../security/password-hasher';
import { REFRESH_TOKEN_CODEC, RefreshTokenCodec } from '../security/refresh-token-codec';
import { TOKEN_SERVICE, type TokenService } from '../security/token-service';
import { isLoginLockedError, LoginLockout, type LoginAttempt } from './login-lockout';
import {
  INVALID_REFRESH_TOKEN,
  issueSessionTokens,
  REFRESH_TOKEN_REUSED,
  rotateRefreshToken,
  type RefreshDeps,
  type SessionTokens,
} from './refresh-rotation';
import { SessionLookupCache } from './session-lookup-cache';
import { LAST_USED_RESOLUTION_MS, SessionPolicy } from './session-policy';
import { hashOptions, withoutHash } from './user-rules';

/** The same message for an unknown user and a wrong password (docs/reference/errors.md). */
export const INVALID_CREDENTIALS = 'Invalid username/email or password';

export type { SessionTokens } from './refresh-rotation';
export { INVALID_REFRESH_TOKEN, REFRESH_TOKEN_REUSED, REFRESH_TOKEN_USED } from './refresh-rotation';

/** What a successful login returns. */
export type LoginResult = SessionTokens;

/** A session as listed to its owner; `current` marks the one the request came with. */
export type ListedSession = Session & { current: boolean };

/**
 * Login (with per-account lockout), token refresh, token authentication and sessions
 * (docs/guides/security.md "Tokens and sessions"). Registration is `core.services.users.register`.
 *
 * @example
 * const { accessToken, refreshToken } = await core.services.auth.login(
 *   { username: 'alice', password: 's3cret-pass' },
 *   { ipAddress: '203.0.113.9', userAgent: 'curl/8' },
 * );
 * const { user } = await core.services.auth.authenticate(accessToken);
 * const next = await core.services.auth.refresh({ refresh_token: refreshToken });
 */
@injectable()
export class AuthService {
  private readonly lockout: LoginLockout;
  private readonly policy: SessionPolicy;
  private readonly refreshDeps: RefreshDeps;
  private readonly verifiedEmailRequired: boolean;
  private readonly lookups: SessionLookupCache;

  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(TOKEN_SERVICE) private readonly tokens: TokenService,
    @inject(CACHE) private readonly cache: Cache,
    @inject(RATE_LIMITER) limiter: RateLimiter,
    @inject(CORE_CONFIG) private readonly config: CoreConfig,
    @inject(EVENT_BUS) private readonly events: EventBus,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(EXECUTION_CONTEXT) private readonly context: ExecutionContext,
    @inject(REFRESH_TOKEN_CODEC) private readonly refreshTokens: RefreshTokenCodec,
  ) {
    this.lockout = LoginLockout.fromConfig(limiter, config);
    this.policy = new SessionPolicy(config.sessions);
    this.refreshDeps = { sessions, events, codec: refreshTokens, policy: this.policy, tokens };
    this.verifiedEmailRequired = config.emailVerification === 'required';
    this.lookups = new SessionLookupCache(cache);
  }

  /**
   * Checks the credentials of a `LoginRequest` and opens a session. `username` holds a
   * username (exact match first, then case-insensitive) or, when it contains `@`, an email;
   * `email` an email (case-insensitive). The session's transaction emits `login.succeeded`
   * and `session.opened`, whose hooks may veto the login; a refused login emits `login.failed`
   * (with the reason) or, when the lockout refused it, `login.locked`.
   *
   * @throws AppError `rate_limit_error` (429) while the account is locked out,
   *   `authentication_error` (401) "Invalid username/email or password" for an unknown user or
   *   a wrong password, and "User account is inactive" for an inactive user with the right password.
   */
  async login(input: LoginInput, client: ClientInfo = {}): Promise<LoginResult> {
    const { username, email, password } = await validate(loginSchema, input);
    const identifier = (email ?? username)!;
    const hashing = hashOptions(this.context);
    // A place in the hashing queue is taken before the lookups, or 503 at once when the queue
    // is full: a burst of logins is shed at the door instead of after queueing for database
    // connections, and its admitted part counts against later arrivals from the start.
    const release = this.hasher.reserve?.(hashing);
    let record: UserRecord | null, account: string, attempt: LoginAttempt, matches: boolean;
    try {
      record = await this.findForLogin(identifier);
      account = LoginLockout.accountKey(record?.id, identifier);
      attempt = await this.lockout.beginAttempt(account, client.ipAddress).catch(async (error: unknown) => {
        if (isLoginLockedError(error)) {
          const user = record ? withoutHash(record) : null;
          await this.events.emit('login.locked', { user, account, retry_after_seconds: error.retryAfterSeconds ?? 0, client });
        }
        throw error;
      });
      // An unknown user costs one dummy verification, so timing does not reveal who exists.
      matches = record
        ? await this.hasher.verify(password, record.hashed_password, hashing)
        : await this.hasher.verifyDummy(password, hashing);
    } finally {
      release?.();
    }
    if (!record || !matches) {
      await this.lockout.recordFailure(account, attempt);
      await this.loginFailed(record, record ? 'wrong_password' : 'unknown_user', client);
      throw authenticationError(INVALID_CREDENTIALS);
    }
    await this.lockout.recordSuccess(account, attempt);
    // Said only after the password matched, so it does not reveal that an account exists.
    if (!record.is_active) {
      await this.loginFailed(record, 'inactive', client);
      throw authenticationError('User account is inactive');
    }
    // EMAIL_VERIFICATION=required: also said only after the password matched.
    if (this.verifiedEmailRequired && !record.email_verified) {
      await this.loginFailed(record, 'email_not_verified', client);
      throw emailNotVerifiedError();
    }

    const rehashed = await this.rehash(password, record.hashed_password, hashing);
    const now = this.clock.now();
    const refresh = RefreshTokenCodec.createSecret();
    // The session is opened only if the password just verified is still the user's: the row
    // is read under a shared lock in the same transaction, so a concurrent password change
    // (which revokes every other session) either finishes first and this login is refused,
    // or waits and then revokes this session too.
    const opened = await this.uow.run(async () => {
      const current = await this.users.getRecordById(record.id, { lock: true });
      if (!current || !current.is_active || current.hashed_password !== record.hashed_password) return null;
      if (rehashed) await this.users.replaceHash(record.id, record.hashed_password, rehashed);
      const session = await this.sessions.create({
        user_id: record.id,
        jti: randomUUID(),
        ip_address: storableIp(client.ipAddress),
        user_agent: client.userAgent ?? null,
        ...this.policy.open(now),
        last_used_at: now,
        refresh_token_hash: refresh.hash,
      });
      const user = withoutHash(current);
      await this.events.emit('login.succeeded', { user, session });
      await this.events.emit('session.opened', { user, session });
      return { user, session };
    });
    if (!opened) {
      await this.loginFailed(record, 'wrong_password', client);
      throw authenticationError(INVALID_CREDENTIALS);
    }
    return issueSessionTokens(this.refreshDeps, { ...opened, secret: refresh.secret, generation: 0, now });
  }

  /**
   * A new hash of the password just verified when the stored one is of another kind or cost
   * than configured now (an imported `$2y$`, a raised `BCRYPT_ROUNDS`, a switch to Argon2id;
   * docs/guides/security.md "Passwords"); undefined when it is current. A refused hash (the
   * queue is full) only postpones the upgrade to a later login: it never fails this one.
   */
  private async rehash(password: string, stored: string, hashing: HashOptions): Promise<string | undefined> {
    if (!this.hasher.needsRehash(stored)) return undefined;
    try {
      return await this.hasher.hash(password, hashing);
    } catch (error) {
      if (isAppError(error) && error.code === 'service_unavailable') return undefined;
      throw error;
    }
  }

  /**
   * Spends a refresh token for a new pair (docs/reference/routes.md "Refresh"). The rotation
   * is one conditional UPDATE on the token's hash in a transaction, so of concurrent refreshes
   * with one token exactly one gets a pair. A spent token presented again within 10 s of its
   * rotation is refused and changes nothing; later, or any older one, ends the whole session
   * (`session.reuse_detected`, `session.ended` with reason `refresh_reuse`) before the 401.
   *
   * @throws AppError `validation_error` (422) for a missing token; `authentication_error`
   *   (401) for a bad, spent or reused token or a session that ended; `inactive_user` (403).
   */
  async refresh(input: RefreshInput): Promise<SessionTokens> {
    const { refresh_token } = await validate(refreshSchema, input);
    const parts = this.refreshTokens.decode(refresh_token);
    if (!parts) throw authenticationError(INVALID_REFRESH_TOKEN);
    const now = this.clock.now();
    const next = RefreshTokenCodec.createSecret();
    // Refusals leave the transaction as values: a thrown error would roll back the revocation.
    const outcome = await this.uow.run(() => rotateRefreshToken(this.refreshDeps, parts, { hash: next.hash, now }));
    if (outcome.kind === 'refused') throw outcome.error;
    if (outcome.kind === 'reused') {
      await this.safeInvalidate(outcome.userId);
      throw authenticationError(REFRESH_TOKEN_REUSED);
    }
    return issueSessionTokens(this.refreshDeps, { ...outcome, secret: next.secret, now });
  }

  /**
   * Resolves a bearer token to its user and session: signature (HS256 pinned), expiry, issuer,
   * audience and `typ` by the TokenService, then the active, unexpired session of its `sid`
   * and its user: from the session lookup cache when present (versioned by the user's scope,
   * so a revocation anywhere refuses the next request on every instance sharing the cache),
   * else in one query, then cached. `last_used_at` is written at most once a minute per session.
   *
   * @throws AppError `authentication_error` (401) for a bad token or a revoked, expired or
   *   unknown session; `inactive_user` (403) when the account is deactivated.
   */
  async authenticate(token: string): Promise<AuthContext> {
    if (typeof token !== 'string' || token === '') throw authenticationError();
    const claims = this.tokens.verify(token);
    const now = this.clock.now();
    const sessionId = Number(claims.sid);
    const cached = await this.lookups.read(sessionId, Number(claims.sub), now);
    if (cached.hit) return { user: cached.hit.user, session: await this.recordUse(cached.hit.session, now), cached: true };
    const found = await this.sessions.findActive(sessionId, now);
    if (!found) throw authenticationError('Session is not active');
    // The session row is the authority; a token whose sub disagrees with it is forged or stale.
    if (String(found.session.user_id) !== claims.sub || String(found.user.id) !== claims.sub) {
      throw authenticationError();
    }
    if (!found.user.is_active) throw inactiveUserError();
    const session = await this.recordUse(found.session, now);
    await this.lookups.store(cached.stamp, { user: found.user, session }, now);
    return { user: found.user, session, cached: false };
  }

  /** Ends the session the request came with: its access and refresh tokens stop at once, everywhere. */
  async logout(auth: AuthContext): Promise<void> {
    await this.endSessions({ userId: auth.user.id, actor: auth.user, reason: 'logout' }, async () =>
      (await this.sessions.revoke(auth.user.id, auth.session.id)) ? [auth.session.id] : [],
    );
  }

  /** Ends every active session of the user, this one included; returns how many. */
  async logoutAll(auth: AuthContext): Promise<number> {
    return this.endSessions({ userId: auth.user.id, actor: auth.user, reason: 'logout_all' }, () =>
      this.sessions.revokeAllForUser(auth.user.id),
    );
  }

  /** The user's active, unexpired sessions, newest first, the current one flagged. */
  async listSessions(auth: AuthContext): Promise<ListedSession[]> {
    const sessions = await this.sessions.listActiveForUser(auth.user.id, this.clock.now());
    return sessions.map((session) => ({ ...session, current: session.id === auth.session.id }));
  }

  /**
   * Ends one of the caller's own active sessions.
   *
   * @throws AppError `not_found_error` (404) for another user's session, an inactive one or
   *   an unknown id (the three are indistinguishable on purpose).
   */
  async revokeSession(auth: AuthContext, sessionId: number): Promise<void> {
    const ended = await this.endSessions({ userId: auth.user.id, actor: auth.user, reason: 'revoked' }, async () =>
      (await this.sessions.revoke(auth.user.id, sessionId)) ? [sessionId] : [],
    );
    if (ended === 0) throw notFoundError('Session not found');
  }

  /**
   * Another user's active sessions, for a superuser (`actor` null: a trusted worker);
   * `currentSessionId` marks the caller's own, when listed.
   *
   * @throws AppError `authorization_error` (403) for a normal user; `not_found_error` (404).
   */
  async listUserSessions(actor: User | null, userId: number, currentSessionId?: number): Promise<ListedSession[]> {
    await this.assertAdminTarget(actor, userId);
    const sessions = await this.sessions.listActiveForUser(userId, this.clock.now());
    return sessions.map((session) => ({ ...session, current: session.id === currentSessionId }));
  }

  /**
   * Ends every session of a user, for a superuser (`actor` null: a trusted worker), emitting
   * `session.ended` with reason `admin_revoked`; returns how many ended.
   *
   * @throws AppError `authorization_error` (403) for a normal user; `not_found_error` (404).
   */
  async endUserSessions(actor: User | null, userId: number): Promise<number> {
    await this.assertAdminTarget(actor, userId);
    return this.endSessions({ userId, actor, reason: 'admin_revoked' }, () => this.sessions.revokeAllForUser(userId));
  }

  /**
   * Writes `last_used_at` (and the idle deadline it moves) when the last write is a minute old
   * or more: one conditional UPDATE per session per minute, none on the other requests.
   */
  private async recordUse(session: Session, now: Date): Promise<Session> {
    if (!this.policy.needsTouch(session, now)) return session;
    const expiresAt = this.policy.extended(session, now);
    try {
      const usedBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
      const written = await this.sessions.touch(session.id, { now, expiresAt, usedBefore });
      return written ? { ...session, last_used_at: now, expires_at: expiresAt } : session;
    } catch (error) {
      if (isAppError(error) && error.code === 'request_timeout') throw error;
      // Bookkeeping only: the session was just verified, so a failed write does not refuse the request.
      this.config.logger.warn({ session_id: session.id, error: (error as Error).message }, 'Recording session use failed');
      return session;
    }
  }

  private async assertAdminTarget(actor: User | null, userId: number): Promise<void> {
    if (actor && !actor.is_superuser) throw authorizationError();
    if (!(await this.users.getById(userId))) throw notFoundError('User not found');
  }

  /** Revokes sessions and emits `session.ended` in one transaction; returns how many ended. */
  private async endSessions(
    ending: { userId: number; actor: User | null; reason: SessionEndReason },
    revoke: () => Promise<number[]>,
  ): Promise<number> {
    const ended = await this.uow.run(async () => {
      const ids = await revoke();
      if (ids.length > 0) {
        await this.events.emit('session.ended', { user_id: ending.userId, session_ids: ids, reason: ending.reason, actor: ending.actor });
      }
      return ids;
    });
    await this.safeInvalidate(ending.userId);
    return ended.length;
  }

  /**
   * Emits `login.failed` (outside any transaction: nothing changed; the audit trail writes
   * its row in one of its own). Unknown user and wrong password cost the same one write.
   */
  private async loginFailed(record: UserRecord | null, reason: LoginFailureReason, client: ClientInfo): Promise<void> {
    await this.events.emit('login.failed', { user: record ? withoutHash(record) : null, reason, client });
  }

  private async findForLogin(identifier: string): Promise<UserRecord | null> {
    // A `username` holding an email is matched as an email.
    if (identifier.includes('@')) return this.users.getByEmail(identifier.trim().toLowerCase());
    return (await this.users.getByUsername(identifier)) ?? (await this.users.getByUsernameInsensitive(identifier));
  }

  /**
   * Bumps the user's scope after a session ended: its cached responses and every cached
   * session lookup of that user are never read again, on every instance sharing the cache.
   */
  private async safeInvalidate(userId: number): Promise<void> {
    try {
      await this.cache.bump(cacheKeys.userScope(userId));
    } catch {
      // The Cache port does not throw; an outage here must not fail a logout regardless.
    }
  }
}

/**
 * The client IP as the session stores it, or null. Behind `trust proxy` the host's IP comes
 * from X-Forwarded-For, which the client controls: anything that is not an IPv4/IPv6 address
 * (or is longer than the 45-character column) is dropped rather than failing the login.
 */
function storableIp(ip: string | null | undefined): string | null {
  return ip && ip.length <= 45 && isIP(ip) !== 0 ? ip : null;
}
