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
 * - `fail`  counts consecutive failures (window 15 min from the first one);
 * - `lock`  exists while the account is locked: one hit whose window is the lock delay;
 * - `locks` counts the locks so far (window 24 h), giving the delay
 *   `min(baseDelaySeconds × 2^(locks − 1), maxDelaySeconds)`.
 *
 * {@link assertNotLocked} peeks `locks` (to know the current delay) and then `lock`; a locked
 * account is refused with 429 and `Retry-After` before its password is verified, whatever
 * the client IP. {@link recordFailure} counts a failure and, on the `maxFailures`-th, counts a
 * lock, opens the `lock` window and clears `fail`, so the next lock needs `maxFailures` new
 * failures. {@link recordSuccess} clears `fail` and `locks`: only the password holder can
 * succeed, so forgiving them is safe. A limiter error leaves the account unlocked (fail
 * open): the port already falls back to memory, and refusing every login would be worse.
 * Two concurrent failures at the threshold may count two locks; the effect is one doubling.
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

  /** @throws AppError `rate_limit_error` with `retryAfterSeconds` while `account` is locked. */
  async assertNotLocked(account: string): Promise<void> {
    if (!this.settings.enabled) return;
    let retryAfter = 0;
    try {
      const locks = await this.limiter.peek(this.key('locks', account), this.countRule(LOCK_MEMORY_MS));
      const lock = await this.limiter.peek(this.key('lock', account), this.lockRule(Math.max(locks.count, 1)));
      if (lock.count >= 1 && lock.resetSeconds > 0) retryAfter = Math.max(lock.retryAfterSeconds, lock.resetSeconds, 1);
    } catch {
      return;
    }
    if (retryAfter > 0) {
      throw rateLimitError(retryAfter, 'Too many failed login attempts; try again later');
    }
  }

  /** Counts one failed attempt; locks the account when it reaches `maxFailures`. */
  async recordFailure(account: string): Promise<void> {
    if (!this.settings.enabled) return;
    try {
      const failures = await this.limiter.consume(this.key('fail', account), this.countRule(FAILURE_WINDOW_MS));
      if (failures.count < this.settings.maxFailures) return;
      const locks = await this.limiter.consume(this.key('locks', account), this.countRule(LOCK_MEMORY_MS));
      await this.limiter.reset(this.key('lock', account));
      await this.limiter.consume(this.key('lock', account), this.lockRule(locks.count));
      await this.limiter.reset(this.key('fail', account));
    } catch {
      // Fail open (see the class comment).
    }
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
