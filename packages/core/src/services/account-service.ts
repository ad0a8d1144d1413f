import { createHash } from 'node:crypto';
import { inject, injectable } from 'inversify';
import { CACHE, cacheKeys, type Cache } from '../cache/cache';
import { CLOCK, type Clock } from '../clock/clock';
import { CORE_CONFIG, type CoreConfig } from '../config/options';
import { EXECUTION_CONTEXT, type ExecutionContext } from '../context/execution-context';
import { UNIT_OF_WORK, type UnitOfWork } from '../database/unit-of-work';
import type { AuthContext, User, UserChanges } from '../domain/types';
import { authenticationError, invalidTokenError, rateLimitError } from '../errors/app-error';
import { EVENT_BUS, type EventBus } from '../events/event-bus';
import type { Logger } from '../logger/logger';
import { RATE_LIMITER, type RateLimiter } from '../rate-limit/rate-limiter';
import { ACCOUNT_TOKEN_REPOSITORY, type AccountTokenPurpose, type AccountTokenRepository } from '../repositories/account-token-repository';
import { SESSION_REPOSITORY, type SessionRepository } from '../repositories/session-repository';
import { USER_REPOSITORY, type UserRepository } from '../repositories/user-repository';
import { ACCOUNT_SCHEMAS, type AccountSchemas } from '../schemas/account';
import { validate } from '../schemas/input';
import { PASSWORD_HASHER, type PasswordHasher } from '../security/password-hasher';
import { AccountMail } from './account-mail';
import { hashToken } from './account-tokens';
import { hashOptions, withoutHash, WRONG_CURRENT_PASSWORD } from './user-rules';

/** The one answer of a reset request, known email or not (docs/reference/routes.md "Account"). */
export const RESET_REQUESTED_MESSAGE = 'If an account with that email exists, a password reset link has been sent to it.';
/** The answer of a verification request. */
export const VERIFICATION_REQUESTED_MESSAGE = 'A verification link has been sent to your email address.';

/** Reset requests per email address and hour, across every client. */
const RESET_PER_EMAIL = { limit: 3, windowMs: 3_600_000 };

/**
 * The mail-driven account flows (docs/reference/routes.md "Account"): password reset,
 * email verification and change-password. Mails are written to the outbox in the
 * transaction of their change and sent after commit (AccountMail, MailDispatcher).
 *
 * @example
 * await core.services.account.requestPasswordReset({ email: 'ada@example.com' });
 * await core.services.account.confirmPasswordReset({ token, new_password: 'a new long passphrase' });
 */
@injectable()
export class AccountService {
  private readonly deferred = new Set<Promise<void>>();

  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @inject(ACCOUNT_TOKEN_REPOSITORY) private readonly tokens: AccountTokenRepository,
    @inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @inject(CACHE) private readonly cache: Cache,
    @inject(EVENT_BUS) private readonly events: EventBus,
    @inject(AccountMail) private readonly mail: AccountMail,
    @inject(ACCOUNT_SCHEMAS) private readonly schemas: AccountSchemas,
    @inject(CORE_CONFIG) private readonly config: CoreConfig,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(EXECUTION_CONTEXT) private readonly context: ExecutionContext,
  ) {}

  private get logger(): Logger {
    return this.config.logger;
  }

  /**
   * Asks for a password-reset link. Resolves the same way, as fast, whether or not the
   * email belongs to an account: the lookup and the mail happen after the answer (see
   * {@link AccountService.settled}); an unknown or inactive account gets nothing.
   *
   * @throws AppError 422 for a malformed email; `rate_limit_error` (429) past 3 requests per
   *   email and hour (counted for every address, so it says nothing about existence).
   */
  async requestPasswordReset(input: { email: string }): Promise<void> {
    const { email } = await validate(this.schemas.passwordResetRequest, input);
    await this.limitPerEmail(email);
    this.defer(async () => {
      const record = await this.users.getByEmail(email);
      if (!record || !record.is_active) return;
      const user = withoutHash(record);
      await this.uow.run(async () => {
        await this.mail.passwordReset(user);
        await this.events.emit('password.reset_requested', { user });
      });
    });
  }

  /**
   * Sets a new password with a reset token: the token is spent, every session of the user
   * ends, outstanding reset links die and a notice is mailed. Receiving the link proves the
   * address, so an unverified email becomes verified.
   *
   * @throws AppError `invalid_token` (400) for a bad, used or expired token; 422 for a
   *   password that breaks the rules.
   */
  async confirmPasswordReset(input: { token: string; new_password: string }): Promise<void> {
    const { token, new_password } = await validate(this.schemas.passwordResetConfirm, input);
    const found = await this.findToken('password_reset', token);
    // Hashing comes after the token check, so a bad token costs no hash, and before the
    // transaction, which it would otherwise hold open.
    const hashed_password = await this.hasher.hash(new_password, hashOptions(this.context));
    const user = await this.uow.run(async () => {
      if (!(await this.tokens.consume(found.id, this.clock.now()))) throw invalidTokenError();
      const record = await this.users.getRecordById(found.user_id, { lock: true });
      if (!record || !record.is_active) throw invalidTokenError();
      const changes: UserChanges = { hashed_password };
      if (found.email === record.email && !record.email_verified) changes.email_verified = true;
      const updated = await this.users.update(record.id, changes);
      if (!updated) throw invalidTokenError();
      await this.endSessions(record.id, undefined, null);
      await this.events.emit('user.updated', { user: updated, before: withoutHash(record), changed: changedNames(changes), actor: null });
      await this.events.emit('password.reset', { user: updated });
      return updated;
    });
    await this.invalidate(user.id);
  }

  /**
   * Mails the signed-in user a fresh verification link for their current address,
   * invalidating older links. Nothing is sent when the address is verified already.
   */
  async requestEmailVerification(auth: Pick<AuthContext, 'user'>): Promise<void> {
    const user = await this.users.getById(auth.user.id);
    if (!user || user.email_verified) return;
    await this.uow.run(() => this.mail.verification(user));
  }

  /**
   * Confirms a verification token: the address it was mailed to is verified, if it still
   * is the account's address. Returns the updated user.
   *
   * @throws AppError `invalid_token` (400) for a bad, used or expired token, or one mailed
   *   to an address the account no longer has.
   */
  async confirmEmailVerification(input: { token: string }): Promise<User> {
    const { token } = await validate(this.schemas.verifyEmailConfirm, input);
    const found = await this.findToken('email_verification', token);
    const user = await this.uow.run(async () => {
      if (!(await this.tokens.consume(found.id, this.clock.now()))) throw invalidTokenError();
      const before = await this.users.getById(found.user_id);
      if (!before || before.email !== found.email) throw invalidTokenError();
      if (before.email_verified) return before;
      const updated = await this.users.update(before.id, { email_verified: true });
      if (!updated) throw invalidTokenError();
      await this.events.emit('user.updated', { user: updated, before, changed: ['email_verified'], actor: null });
      await this.events.emit('email.verified', { user: updated });
      return updated;
    });
    await this.invalidate(user.id);
    return user;
  }

  /**
   * Changes the signed-in user's password after checking the current one; every other
   * session ends (the caller's stays) and a notice is mailed.
   *
   * @throws AppError 401 `authentication_error` "Current password is incorrect"; 422.
   */
  async changePassword(auth: AuthContext, input: { current_password: string; new_password: string }): Promise<void> {
    const { current_password, new_password } = await validate(this.schemas.changePassword, input);
    const options = hashOptions(this.context);
    const record = await this.users.getRecordById(auth.user.id);
    if (!record || !(await this.hasher.verify(current_password, record.hashed_password, options))) {
      throw authenticationError(WRONG_CURRENT_PASSWORD);
    }
    const hashed_password = await this.hasher.hash(new_password, options);
    await this.uow.run(async () => {
      // The password just verified must still be the user's: a change committed meanwhile wins.
      const current = await this.users.getRecordById(record.id, { lock: true });
      if (!current || current.hashed_password !== record.hashed_password) throw authenticationError(WRONG_CURRENT_PASSWORD);
      const updated = await this.users.update(record.id, { hashed_password });
      if (!updated) throw authenticationError();
      await this.endSessions(record.id, auth.session.id, auth.user);
      await this.events.emit('user.updated', { user: updated, before: withoutHash(current), changed: ['password'], actor: auth.user });
      await this.events.emit('password.changed', { user: updated, actor: auth.user });
    });
    await this.invalidate(record.id);
  }

  /** Resolves once the work of every answered reset request is done (for workers and tests). */
  async settled(): Promise<void> {
    while (this.deferred.size > 0) await Promise.allSettled([...this.deferred]);
  }

  private async findToken(purpose: AccountTokenPurpose, token: string) {
    const found = await this.tokens.findValid(purpose, hashToken(token), this.clock.now());
    if (!found) throw invalidTokenError();
    return found;
  }

  private async endSessions(userId: number, keep: number | undefined, actor: User | null): Promise<void> {
    const ended = await this.sessions.revokeAllForUser(userId, keep);
    if (ended.length > 0) await this.events.emit('session.ended', { user_id: userId, session_ids: ended, reason: 'password_changed', actor });
  }

  private async limitPerEmail(email: string): Promise<void> {
    if (!this.config.limiterEnabled || this.limiter.backend === 'none') return;
    // The key holds a digest, not the address: limiter keys may be listed by whoever runs Redis.
    const key = `account:reset:${createHash('sha256').update(email).digest('hex').slice(0, 32)}`;
    const result = await this.limiter.consume(key, RESET_PER_EMAIL);
    if (!result.allowed) throw rateLimitError(result.retryAfterSeconds, 'Too many reset requests for this email; try again later');
  }

  /** Runs `work` after the answer, in a scope of its own (no request signal), logging a failure. */
  private defer(work: () => Promise<void>): void {
    const scope = { requestId: this.context.requestId, client: this.context.client };
    const task: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.context.run(scope, work))
      .catch((error: unknown) => this.logger.error({ err: error }, 'password reset request failed'))
      .finally(() => this.deferred.delete(task));
    this.deferred.add(task);
  }

  private async invalidate(userId: number): Promise<void> {
    try {
      await this.cache.bump(cacheKeys.userScope(userId));
    } catch {
      // The Cache port does not throw; a failed invalidation must not undo a committed change.
    }
  }
}

function changedNames(changes: UserChanges): string[] {
  return Object.keys(changes).map((name) => (name === 'hashed_password' ? 'password' : name));
}
