import { isIP } from 'node:net';
import { inject, injectable } from 'inversify';
import { CACHE, cacheKeys, type Cache } from '../cache/cache';
import { CLOCK, type Clock } from '../clock/clock';
import { CORE_CONFIG, type CoreConfig } from '../config/options';
import { EXECUTION_CONTEXT, type ExecutionContext } from '../context/execution-context';
import { UNIT_OF_WORK, type UnitOfWork } from '../database/unit-of-work';
import type { AuthContext, ClientInfo, Session, User, UserRecord } from '../domain/types';
import { authenticationError, inactiveUserError, notFoundError } from '../errors/app-error';
import type { LoginFailureReason, SessionEndReason } from '../events/core-events';
import { EVENT_BUS, type EventBus } from '../events/event-bus';
import { RATE_LIMITER, type RateLimiter } from '../rate-limit/rate-limiter';
import { SESSION_REPOSITORY, type SessionRepository } from '../repositories/session-repository';
import { USER_REPOSITORY, type UserRepository } from '../repositories/user-repository';
import { validate } from '../schemas/input';
import { loginSchema, type LoginInput } from '../schemas/user';
import { PASSWORD_HASHER, type PasswordHasher } from '../security/password-hasher';
import { TOKEN_SERVICE, type TokenService } from '../security/token-service';
import { isLoginLockedError, LoginLockout } from './login-lockout';
import { hashOptions, withoutHash } from './user-rules';

/** The same message for an unknown user and a wrong password (docs/reference/errors.md). */
export const INVALID_CREDENTIALS = 'Invalid username/email or password';

/** What a successful login returns; the HTTP layer maps it to the `Token` body. */
export interface LoginResult {
  accessToken: string;
  tokenType: 'bearer';
  /** Token lifetime in seconds. */
  expiresIn: number;
  user: User;
  session: Session;
}

/** A session as listed to its owner; `current` marks the one the request came with. */
export type ListedSession = Session & { current: boolean };

/**
 * Login (with per-account lockout), token authentication and sessions. Registration is
 * `core.services.users.register`.
 *
 * @example
 * const { accessToken } = await core.services.auth.login(
 *   { username: 'alice', password: 's3cret-pass' },
 *   { ipAddress: '203.0.113.9', userAgent: 'curl/8' },
 * );
 * const { user } = await core.services.auth.authenticate(accessToken);
 */
@injectable()
export class AuthService {
  private readonly lockout: LoginLockout;

  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(TOKEN_SERVICE) private readonly tokens: TokenService,
    @inject(CACHE) private readonly cache: Cache,
    @inject(RATE_LIMITER) limiter: RateLimiter,
    @inject(CORE_CONFIG) config: CoreConfig,
    @inject(EVENT_BUS) private readonly events: EventBus,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(EXECUTION_CONTEXT) private readonly context: ExecutionContext,
  ) {
    this.lockout = LoginLockout.fromConfig(limiter, config);
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
    const record = await this.findForLogin(identifier);
    const account = LoginLockout.accountKey(record?.id, identifier);
    const attempt = await this.lockout.beginAttempt(account, client.ipAddress).catch(async (error: unknown) => {
      if (isLoginLockedError(error)) {
        const user = record ? withoutHash(record) : null;
        await this.events.emit('login.locked', { user, account, retry_after_seconds: error.retryAfterSeconds ?? 0, client });
      }
      throw error;
    });

    // An unknown user costs one dummy verification, so timing does not reveal who exists.
    const hashing = hashOptions(this.context);
    const matches = record
      ? await this.hasher.verify(password, record.hashed_password, hashing)
      : await this.hasher.verifyDummy(password, hashing);
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

    const issued = this.tokens.issue(record.id);
    // The session is opened only if the password just verified is still the user's: the row
    // is read under a shared lock in the same transaction, so a concurrent password change
    // (which revokes every other session) either finishes first and this login is refused,
    // or waits and then revokes this session too.
    const opened = await this.uow.run(async () => {
      const current = await this.users.getRecordById(record.id, { lock: true });
      if (!current || !current.is_active || current.hashed_password !== record.hashed_password) return null;
      const session = await this.sessions.create({
        user_id: record.id,
        jti: issued.jti,
        ip_address: storableIp(client.ipAddress),
        user_agent: client.userAgent ?? null,
        expires_at: issued.expiresAt,
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
    return { accessToken: issued.token, tokenType: 'bearer', expiresIn: issued.expiresIn, ...opened };
  }

  /**
   * Resolves a bearer token to its user and session: signature (HS256 pinned) and expiry by
   * the TokenService, then one query for the active, unexpired session and its user.
   *
   * @throws AppError `authentication_error` (401) for a bad token or a revoked, expired or
   *   unknown session; `inactive_user` (403) when the account is deactivated.
   */
  async authenticate(token: string): Promise<AuthContext> {
    if (typeof token !== 'string' || token === '') throw authenticationError();
    const claims = this.tokens.verify(token);
    const found = await this.sessions.findActiveByJti(claims.jti, this.clock.now());
    if (!found) throw authenticationError('Session is not active');
    // The session row is the authority; a token whose sub disagrees with it is forged or stale.
    if (String(found.session.user_id) !== claims.sub || String(found.user.id) !== claims.sub) {
      throw authenticationError();
    }
    if (!found.user.is_active) throw inactiveUserError();
    return { user: found.user, session: found.session };
  }

  /** Revokes the session the request came with; takes effect at once on every instance. */
  async logout(auth: AuthContext): Promise<void> {
    await this.endSessions(auth.user, 'logout', () => this.sessions.revokeByJti(auth.session.jti).then((done) => (done ? [auth.session.id] : [])));
  }

  /** Revokes every active session of the user, this one included; returns how many. */
  async logoutAll(auth: AuthContext): Promise<number> {
    return this.endSessions(auth.user, 'logout_all', () => this.sessions.revokeAllForUser(auth.user.id));
  }

  /** The user's active, unexpired sessions, newest first, the current one flagged. */
  async listSessions(auth: AuthContext): Promise<ListedSession[]> {
    const sessions = await this.sessions.listActiveForUser(auth.user.id, this.clock.now());
    return sessions.map((session) => ({ ...session, current: session.id === auth.session.id }));
  }

  /**
   * Revokes one of the caller's own active sessions.
   *
   * @throws AppError `not_found_error` (404) for another user's session, an inactive one or
   *   an unknown id (the three are indistinguishable on purpose).
   */
  async revokeSession(auth: AuthContext, sessionId: number): Promise<void> {
    const ended = await this.endSessions(auth.user, 'revoked', async () =>
      (await this.sessions.revoke(auth.user.id, sessionId)) ? [sessionId] : [],
    );
    if (ended === 0) throw notFoundError('Session not found');
  }

  /** Revokes sessions and emits `session.ended` in one transaction; returns how many ended. */
  private async endSessions(actor: User, reason: SessionEndReason, revoke: () => Promise<number[]>): Promise<number> {
    const ended = await this.uow.run(async () => {
      const ids = await revoke();
      if (ids.length > 0) {
        await this.events.emit('session.ended', { user_id: actor.id, session_ids: ids, reason, actor });
      }
      return ids;
    });
    await this.safeInvalidate(...cacheKeys.ofUser(actor.id));
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

  private async safeInvalidate(...keys: string[]): Promise<void> {
    try {
      await this.cache.delete(...keys);
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
