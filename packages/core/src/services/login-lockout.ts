import type { CoreConfig } from '../config/options';
import { rateLimitError } from '../errors/app-error';
import type { RateLimiter, RateLimitRule } from '../rate-limit/rate-limiter';

/** How long consecutive failures are remembered between two attempts. */
const FAILURE_WINDOW_MS = 15 * 60 * 1000;
/** How long the number of past locks is remembered, so the delay keeps growing. */
const LOCK_MEMORY_MS = 24 * 60 * 60 * 1000;
/** A limit no counter reaches: these keys only count. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/** The lockout settings of {@link CoreConfig}: `loginLockout` plus the limiter switch. */
export type LockoutSettings = CoreConfig['loginLockout'] & { enabled: boolean };

/**
 * Per-account login lockout (SPEC §4 "Login"), built on the RateLimiter port alone so that it
 * is shared by every instance when the limiter is Redis-backed. Three keys per account:
 *
 * - `fail`  counts consecutive attempts not yet forgiven (window 15 min from the first);
 * - `lock`  exists while the account is locked: one hit whose window is the lock delay;
 * - `locks` counts the locks so far (window 24 h), giving the delay
 *   `min(baseDelaySeconds × 2^(locks − 1), maxDelaySeconds)`.
 *
 * {@link beginAttempt} runs BEFORE the password is verified: it refuses a locked account,
 * then atomically counts the attempt on `fail`. Counting before verifying is what makes the
 * limit hold under concurrency: attempts in flight at the same moment each take a number,
 * so at most `maxFailures` of them reach a password check per lock cycle, whatever the IPs;
 * an attempt numbered past the budget locks the account and is refused with 429.
 * {@link recordFailure} locks the account when the attempt that just failed was the
 * `maxFailures`-th. Locking counts a lock, opens the `lock` window and clears `fail`, so the
 * next lock needs `maxFailures` new attempts. {@link recordSuccess} clears `fail` and
 * `locks`: only the password holder can succeed, so forgiving them is safe. A limiter error
 * leaves the account unlocked (fail open): the port already falls back to memory, and
 * refusing every login would be worse. Two attempts locking at the same moment may count two
 * locks; the effect is one extra doubling.
 */
export class LoginLockout {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly settings: LockoutSettings,
  ) {}

  /** The account part of the keys: the user id when known, else the lower-cased identifier. */
  static accountKey(userId: number | undefined, identifier: string): string {
    return userId !== undefined ? `id:${userId}` : `name:${identifier.trim().toLowerCase()}`;
  }

  /**
   * Reserves one attempt for `account` before its password is checked.
   *
   * @returns the attempt's number within the current budget (0 when the lockout is off or
   *   the limiter failed), to hand to {@link recordFailure}.
   * @throws AppError `rate_limit_error` with `retryAfterSeconds` while `account` is locked, or
   *   when attempts in flight have already used the budget (the account is then locked).
   */
  async beginAttempt(account: string): Promise<number> {
    if (!this.settings.enabled) return 0;
    const lockedFor = await this.lockedForSeconds(account);
    if (lockedFor > 0) throw this.lockedError(lockedFor);
    let attempt: number;
    try {
      attempt = (await this.limiter.consume(this.key('fail', account), this.countRule(FAILURE_WINDOW_MS))).count;
    } catch {
      return 0; // Fail open (see the class comment).
    }
    if (attempt > this.settings.maxFailures) throw this.lockedError(await this.lock(account));
    return attempt;
  }

  /** Locks the account when the failed attempt numbered `attempt` used up the budget. */
  async recordFailure(account: string, attempt: number): Promise<void> {
    if (!this.settings.enabled || attempt < this.settings.maxFailures) return;
    await this.lock(account);
  }

  /** Forgets the account's failures and past locks after a successful login. */
  async recordSuccess(account: string): Promise<void> {
    if (!this.settings.enabled) return;
    try {
      await Promise.all([this.limiter.reset(this.key('fail', account)), this.limiter.reset(this.key('locks', account))]);
    } catch {
      // Fail open (see the class comment).
    }
  }

  /** Seconds the account stays locked (0 when it is not, or when the limiter fails). */
  private async lockedForSeconds(account: string): Promise<number> {
    try {
      const locks = await this.limiter.peek(this.key('locks', account), this.countRule(LOCK_MEMORY_MS));
      const lock = await this.limiter.peek(this.key('lock', account), this.lockRule(Math.max(locks.count, 1)));
      return lock.count >= 1 && lock.resetSeconds > 0 ? Math.max(lock.retryAfterSeconds, lock.resetSeconds, 1) : 0;
    } catch {
      return 0;
    }
  }

  /** Opens the next lock unless one is already open; returns the seconds it lasts. */
  private async lock(account: string): Promise<number> {
    try {
      const open = await this.lockedForSeconds(account);
      if (open > 0) return open;
      const locks = await this.limiter.consume(this.key('locks', account), this.countRule(LOCK_MEMORY_MS));
      await this.limiter.reset(this.key('lock', account));
      await this.limiter.consume(this.key('lock', account), this.lockRule(locks.count));
      await this.limiter.reset(this.key('fail', account));
      return this.delaySeconds(locks.count);
    } catch {
      return this.settings.baseDelaySeconds; // Fail open (see the class comment).
    }
  }

  private lockedError(seconds: number) {
    return rateLimitError(seconds, 'Too many failed login attempts; try again later');
  }

  /** The lock length in seconds for the `lockNumber`-th consecutive lock (1-based). */
  delaySeconds(lockNumber: number): number {
    const { baseDelaySeconds, maxDelaySeconds } = this.settings;
    const exponent = Math.min(Math.max(lockNumber, 1) - 1, 30);
    return Math.min(baseDelaySeconds * 2 ** exponent, maxDelaySeconds);
  }

  private key(kind: 'fail' | 'lock' | 'locks', account: string): string {
    return `login-lockout:${kind}:${account}`;
  }

  private countRule(windowMs: number): RateLimitRule {
    return { limit: UNBOUNDED, windowMs };
  }

  private lockRule(lockNumber: number): RateLimitRule {
    return { limit: 1, windowMs: this.delaySeconds(lockNumber) * 1000 };
  }
}
