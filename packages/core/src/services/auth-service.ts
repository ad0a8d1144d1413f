import { isIP } from 'node:net';
import { inject, injectable } from 'inversify';
import { CACHE, cacheKeys, type Cache } from '../cache/cache';
import { CORE_CONFIG, type CoreConfig } from '../config/options';
import { UNIT_OF_WORK, type UnitOfWork } from '../database/unit-of-work';
import type { AuthContext, ClientInfo, Session, User, UserRecord } from '../domain/types';
import {
  authenticationError,
  inactiveUserError,
  notFoundError,
  validationError,
  type ErrorDetail,
} from '../errors/app-error';
import { RATE_LIMITER, type RateLimiter } from '../rate-limit/rate-limiter';
import { SESSION_REPOSITORY, type SessionRepository } from '../repositories/session-repository';
import { USER_REPOSITORY, type UserRepository } from '../repositories/user-repository';
import { PASSWORD_HASHER, type PasswordHasher } from '../security/password-hasher';
import { TOKEN_SERVICE, type TokenService } from '../security/token-service';
import { LoginLockout } from './login-lockout';
import { validateNewUser, VALIDATION_MESSAGE, type NewUserInput } from './user-input';
import { assertAvailable, toUser } from './user-rules';

export type { NewUserInput } from './user-input';

/** SPEC §4: the same message for an unknown user and a wrong password. */
export const INVALID_CREDENTIALS = 'Invalid username/email or password';

/** What a successful login returns; the HTTP layer maps it to SPEC's `Token`. */
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
 * Registration, login (with per-account lockout), token authentication and sessions.
 *
 * @example
 * const { accessToken } = await core.services.auth.login(
 *   { identifier: 'alice', password: 's3cret-pass' },
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
  ) {
    this.lockout = LoginLockout.fromConfig(limiter, config);
  }

  /**
   * Creates a normal (active, non-super) user. Email conflicts are checked before username
   * conflicts; usernames conflict case-insensitively.
   *
   * @throws AppError `validation_error` (422) or `conflict_error` (409).
   */
  async register(input: NewUserInput): Promise<User> {
    const valid = validateNewUser(input);
    await assertAvailable(this.users, valid);
    const hashedPassword = await this.hasher.hash(valid.password);
    const user = await this.uow.run(() =>
      this.users.create({ email: valid.email, username: valid.username, fullName: valid.fullName, hashedPassword }),
    );
    await this.safeInvalidate(cacheKeys.dashboardStats());
    return user;
  }

  /**
   * Checks the credentials and opens a session. `identifier` is a username (exact match
   * first, then case-insensitive) or, when it contains `@`, an email (case-insensitive).
   *
   * @throws AppError `rate_limit_error` (429) while the account is locked out,
   *   `authentication_error` (401) "Invalid username/email or password" for an unknown user or
   *   a wrong password, and "User account is inactive" for an inactive user with the right password.
   */
  async login(input: { identifier: string; password: string }, client: ClientInfo = {}): Promise<LoginResult> {
    const { identifier, password } = input ?? {};
    const issues: ErrorDetail[] = [];
    if (typeof identifier !== 'string' || identifier.trim() === '') {
      issues.push({ type: 'missing', message: 'a username or email is required', field: 'identifier' });
    }
    if (typeof password !== 'string' || password === '') {
      issues.push({ type: 'missing', message: 'a password is required', field: 'password' });
    }
    if (issues.length > 0) throw validationError(VALIDATION_MESSAGE, issues);
    const record = await this.findForLogin(identifier);
    const account = LoginLockout.accountKey(record?.id, identifier);
    const attempt = await this.lockout.beginAttempt(account, client.ipAddress);

    // An unknown user costs one dummy verification, so timing does not reveal who exists.
    const matches = record ? await this.hasher.verify(password, record.hashedPassword) : await this.hasher.verifyDummy(password);
    if (!record || !matches) {
      await this.lockout.recordFailure(account, attempt);
      throw authenticationError(INVALID_CREDENTIALS);
    }
    await this.lockout.recordSuccess(account, attempt);
    // Said only after the password matched, so it does not reveal that an account exists.
    if (!record.isActive) throw authenticationError('User account is inactive');

    const issued = this.tokens.issue(record.id);
    // The session is opened only if the password just verified is still the user's: the row
    // is read under a shared lock in the same transaction, so a concurrent password change
    // (which revokes every other session) either finishes first and this login is refused,
    // or waits and then revokes this session too.
    const session = await this.uow.run(async () => {
      const current = await this.users.getRecordById(record.id, { lock: true });
      if (!current || !current.isActive || current.hashedPassword !== record.hashedPassword) return null;
      return this.sessions.create({
        userId: record.id,
        jti: issued.jti,
        ipAddress: storableIp(client.ipAddress),
        userAgent: client.userAgent ?? null,
        expiresAt: issued.expiresAt,
      });
    });
    if (!session) throw authenticationError(INVALID_CREDENTIALS);
    return {
      accessToken: issued.token,
      tokenType: 'bearer',
      expiresIn: issued.expiresIn,
      user: toUser(record),
      session,
    };
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
    const found = await this.sessions.findActiveByJti(claims.jti, new Date());
    if (!found) throw authenticationError('Session is not active');
    // The session row is the authority; a token whose sub disagrees with it is forged or stale.
    if (String(found.session.userId) !== claims.sub || String(found.user.id) !== claims.sub) {
      throw authenticationError();
    }
    if (!found.user.isActive) throw inactiveUserError();
    return { user: found.user, session: found.session };
  }

  /** Revokes the session the request came with; takes effect at once on every instance. */
  async logout(auth: AuthContext): Promise<void> {
    await this.sessions.revokeByJti(auth.session.jti);
    await this.safeInvalidate(...cacheKeys.ofUser(auth.user.id));
  }

  /** Revokes every active session of the user, this one included; returns how many. */
  async logoutAll(auth: AuthContext): Promise<number> {
    const revoked = await this.sessions.revokeAllForUser(auth.user.id);
    await this.safeInvalidate(...cacheKeys.ofUser(auth.user.id));
    return revoked;
  }

  /** The user's active, unexpired sessions, newest first, the current one flagged. */
  async listSessions(auth: AuthContext): Promise<ListedSession[]> {
    const sessions = await this.sessions.listActiveForUser(auth.user.id, new Date());
    return sessions.map((session) => ({ ...session, current: session.id === auth.session.id }));
  }

  /**
   * Revokes one of the caller's own active sessions.
   *
   * @throws AppError `not_found_error` (404) for another user's session, an inactive one or
   *   an unknown id (the three are indistinguishable on purpose).
   */
  async revokeSession(auth: AuthContext, sessionId: number): Promise<void> {
    const revoked = await this.sessions.revoke(auth.user.id, sessionId);
    if (!revoked) throw notFoundError('Session not found');
  }

  private async findForLogin(identifier: string): Promise<UserRecord | null> {
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
