import { createHash } from 'node:crypto';
import type { CoreConfig } from '../config/options';
import { AppError, rateLimitError } from '../errors/app-error';
import { clientKey, UNKNOWN_CLIENT } from '../rate-limit/client-key';
import type { RateLimiter, RateLimitResult, RateLimitRule } from '../rate-limit/rate-limiter';

/** How long the failures of one (account, client) pair are remembered from the first. */
const PAIR_FAILURE_WINDOW_MS = 15 * 60 * 1000;
/** How long the number of past locks of a pair is remembered, so the delay keeps growing. */
const LOCK_MEMORY_MS = 24 * 60 * 60 * 1000;
/** A limit no counter reaches: these keys only count. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;
/** Identifiers longer than this are keyed by their hash, so a key never carries a huge body. */
const MAX_PLAIN_IDENTIFIER = 128;

/**
 * The message of every lockout refusal (429), the same for a pair delay and an account hold
 * and for known and unknown accounts. Use {@link isLoginLockedError} to tell a lockout
 * refusal from a per-IP rate limit, e.g. for `app_logins_total{result="locked"}`.
 */
export const LOGIN_LOCKED_MESSAGE = 'Too many failed login attempts; try again later';

/** True when `error` is the lockout's refusal (not the per-route rate limit). */
export function isLoginLockedError(error: unknown): error is AppError {
  return error instanceof AppError && error.code === 'rate_limit_error' && error.message === LOGIN_LOCKED_MESSAGE;
}

/** The lockout settings of {@link CoreConfig}: `loginLockout`, the limiter switch and the IPv6 grouping. */
export type LockoutSettings = CoreConfig['loginLockout'] & {
  enabled: boolean;
  /** IPv6 bits that name one client (see `clientKey`); default 64. */
  ipv6Prefix?: number;
};

/** One login attempt as {@link LoginLockout.beginAttempt} counted it; hand it back after the check. */
export interface LoginAttempt {
  readonly account: string;
  /** The (account, client group) pair's key part. */
  readonly pair: string;
  /** The client group (`clientKey` of the IP). */
  readonly client: string;
  /** This attempt's number among the pair's failures so far (0: not counted). */
  readonly pairNumber: number;
  /** This attempt's number among the account's failures so far (0: not counted). */
  readonly accountNumber: number;
  /** Seconds left in the account's failure window when the attempt was counted. */
  readonly accountWindowSeconds: number;
}

const NOT_COUNTED = (account: string, client: string): LoginAttempt => ({
  account,
  pair: `${account}|${client}`,
  client,
  pairNumber: 0,
  accountNumber: 0,
  accountWindowSeconds: 0,
});

/**
 * Login lockout of docs/guides/security.md ("Lockout"), on the RateLimiter port alone so it
 * is shared by every instance when the limiter is Redis-backed. Failures are counted per
 * (account, client group) pair and per account; the client group is `clientKey` of the IP
 * (an IPv4 address, or an IPv6 /64).
 *
 * - Pair: after `maxFailures` failures in 15 min the pair is delayed (429) for
 *   `baseDelaySeconds × 2^(locks − 1)`, capped at `maxDelaySeconds`; locks are remembered
 *   24 h. Other clients of the account are not affected.
 * - Account: after `accountMaxFailures` failures within `accountWindowSeconds`, from any
 *   clients, the account is held until that window ends, except for a client group the
 *   account has logged in from before (remembered `knownIpDays` after the last success):
 *   an attacker failing elsewhere cannot lock the owner out. A client without a usable IP
 *   (`unknown`) is never known, so a forged address cannot borrow the exemption.
 *
 * {@link beginAttempt} runs BEFORE the password is verified: it refuses a delayed pair or a
 * held account, then atomically counts the attempt on both counters. Counting before
 * verifying makes the budgets hold under concurrency: attempts in flight at once each take a
 * number, so at most `maxFailures` of a pair, and `accountMaxFailures` of an account, reach a
 * password check per cycle; one numbered past a budget takes the lock and is refused.
 * {@link recordFailure} takes the lock when the failed attempt used up a budget.
 * {@link recordSuccess} forgives the pair and the account's consecutive failures (only the
 * password holder can succeed) and remembers the client group; an account hold stays until it
 * ends. A limiter error lets the attempt through (fail open): the Redis limiter already falls
 * back to memory, and refusing every login would be worse. Unknown identifiers go through
 * the same steps, so nothing here tells whether an account exists.
 */
export class LoginLockout {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly settings: LockoutSettings,
  ) {}

  /** The lockout a core's config asks for, on `limiter`. */
  static fromConfig(limiter: RateLimiter, config: CoreConfig): LoginLockout {
    return new LoginLockout(limiter, { ...config.loginLockout, enabled: config.limiterEnabled, ipv6Prefix: config.rateLimitIpv6Prefix });
  }

  /** The account part of the keys: the user id when known, else the lower-cased identifier. */
  static accountKey(userId: number | undefined, identifier: string): string {
    if (userId !== undefined) return `id:${userId}`;
    const name = identifier.trim().toLowerCase();
    return name.length <= MAX_PLAIN_IDENTIFIER ? `name:${name}` : `name#${createHash('sha256').update(name).digest('hex')}`;
  }

  /**
   * Counts one attempt for `account` from `ip` before its password is checked.
   *
   * @returns the counted attempt, to hand to {@link recordFailure} or {@link recordSuccess}.
   * @throws AppError `rate_limit_error` ({@link LOGIN_LOCKED_MESSAGE}, `retryAfterSeconds`)
   *   while the pair is delayed or the account is held for this client, or when attempts in
   *   flight have already used a budget (the lock is then taken).
   */
  async beginAttempt(account: string, ip?: string | null): Promise<LoginAttempt> {
    const client = clientKey(ip, { ipv6Prefix: this.settings.ipv6Prefix });
    const pair = `${account}|${client}`;
    if (!this.settings.enabled) return NOT_COUNTED(account, client);
    let state: { pairLock: number; hold: number; known: boolean };
    try {
      state = await this.state(account, pair, client);
    } catch {
      return NOT_COUNTED(account, client); // Fail open (see the class comment).
    }
    if (state.pairLock > 0) throw lockedError(state.pairLock);
    if (state.hold > 0 && !state.known) throw lockedError(state.hold);
    let counts: [RateLimitResult, RateLimitResult];
    try {
      counts = await Promise.all([
        this.limiter.consume(key('pair-fail', pair), counter(PAIR_FAILURE_WINDOW_MS)),
        this.limiter.consume(key('account-fail', account), counter(this.settings.accountWindowSeconds * 1000)),
      ]);
    } catch {
      return NOT_COUNTED(account, client);
    }
    const [pairCount, accountCount] = counts;
    if (pairCount.count > this.settings.maxFailures) throw lockedError(await this.lockPair(pair));
    if (accountCount.count > this.settings.accountMaxFailures && !state.known) {
      throw lockedError(await this.holdAccount(account, accountCount.resetSeconds));
    }
    return {
      account,
      pair,
      client,
      pairNumber: pairCount.count,
      accountNumber: accountCount.count,
      accountWindowSeconds: accountCount.resetSeconds,
    };
  }

  /** Takes the pair's lock or the account's hold when the failed `attempt` used up a budget. */
  async recordFailure(_account: string, attempt: LoginAttempt): Promise<void> {
    if (!this.settings.enabled) return;
    if (attempt.pairNumber >= this.settings.maxFailures) await this.lockPair(attempt.pair);
    if (attempt.accountNumber >= this.settings.accountMaxFailures) {
      await this.holdAccount(attempt.account, attempt.accountWindowSeconds);
    }
  }

  /** Forgives the pair's and the account's failures and remembers the client group as known. */
  async recordSuccess(_account: string, attempt: LoginAttempt): Promise<void> {
    if (!this.settings.enabled) return;
    try {
      await Promise.all([
        this.limiter.reset(key('pair-fail', attempt.pair)),
        this.limiter.reset(key('pair-locks', attempt.pair)),
        this.limiter.reset(key('account-fail', attempt.account)),
        // Reset then hit again, so the mark lasts knownIpDays from the latest success.
        this.limiter.reset(key('known', attempt.pair)),
      ]);
      // Whoever has no usable IP (a forged header, a worker) is never a known client.
      if (attempt.client === UNKNOWN_CLIENT) return;
      await this.limiter.consume(key('known', attempt.pair), lock(this.settings.knownIpDays * 86_400_000));
    } catch {
      // Fail open (see the class comment).
    }
  }

  /** The lock length in seconds for the `lockNumber`-th consecutive lock of a pair (1-based). */
  delaySeconds(lockNumber: number): number {
    const { baseDelaySeconds, maxDelaySeconds } = this.settings;
    const exponent = Math.min(Math.max(lockNumber, 1) - 1, 30);
    return Math.min(baseDelaySeconds * 2 ** exponent, maxDelaySeconds);
  }

  /** Seconds the pair is delayed and the account held (0: not), and whether the pair is known. */
  private async state(account: string, pair: string, client: string) {
    const probe = lock(1000);
    const [pairLock, hold, known] = await Promise.all([
      this.limiter.peek(key('pair-lock', pair), probe),
      this.limiter.peek(key('account-hold', account), probe),
      this.limiter.peek(key('known', pair), probe),
    ]);
    const isKnown = client !== UNKNOWN_CLIENT && known.count > 0;
    return { pairLock: lockedSeconds(pairLock), hold: lockedSeconds(hold), known: isKnown };
  }

  /** Opens the pair's next lock unless one is open; returns the seconds it lasts. */
  private async lockPair(pair: string): Promise<number> {
    try {
      const open = lockedSeconds(await this.limiter.peek(key('pair-lock', pair), lock(1000)));
      if (open > 0) return open;
      const locks = await this.limiter.consume(key('pair-locks', pair), { ...counter(LOCK_MEMORY_MS), tier: 'lock' });
      const seconds = this.delaySeconds(locks.count);
      await this.limiter.reset(key('pair-lock', pair));
      await this.limiter.consume(key('pair-lock', pair), lock(seconds * 1000));
      await this.limiter.reset(key('pair-fail', pair));
      return seconds;
    } catch {
      return this.settings.baseDelaySeconds; // Fail open (see the class comment).
    }
  }

  /** Holds the account for `seconds` (the rest of its failure window) unless it is held. */
  private async holdAccount(account: string, seconds: number): Promise<number> {
    try {
      const open = lockedSeconds(await this.limiter.peek(key('account-hold', account), lock(1000)));
      if (open > 0) return open;
      const length = Math.max(1, seconds, this.settings.baseDelaySeconds);
      await this.limiter.consume(key('account-hold', account), lock(length * 1000));
      return length;
    } catch {
      return this.settings.baseDelaySeconds;
    }
  }
}

type KeyKind = 'pair-fail' | 'pair-lock' | 'pair-locks' | 'account-fail' | 'account-hold' | 'known';

function key(kind: KeyKind, subject: string): string {
  return `login-lockout:${kind}:${subject}`;
}

function counter(windowMs: number): RateLimitRule {
  return { limit: UNBOUNDED, windowMs, tier: 'counter' };
}

function lock(windowMs: number): RateLimitRule {
  return { limit: UNBOUNDED, windowMs, tier: 'lock' };
}

function lockedSeconds(result: RateLimitResult): number {
  return result.count >= 1 && result.resetSeconds > 0 ? result.resetSeconds : 0;
}

function lockedError(seconds: number): AppError {
  return rateLimitError(seconds, LOGIN_LOCKED_MESSAGE);
}
