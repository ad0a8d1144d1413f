import type { RateLimiter, RateLimitResult, RateLimitRule } from './rate-limiter';

/**
 * The {@link RateLimiter} used when `limiterEnabled` is false: every hit is allowed and
 * nothing is counted (`count` 0, `remaining` the full limit, `resetSeconds` 0).
 */
export class DisabledRateLimiter implements RateLimiter {
  readonly backend = 'none' as const;

  async consume(_key: string, rule: RateLimitRule): Promise<RateLimitResult> {
    return allowAll(rule);
  }

  async peek(_key: string, rule: RateLimitRule): Promise<RateLimitResult> {
    return allowAll(rule);
  }

  async reset(_key: string): Promise<void> {}

  /** Always true: a disabled limiter has nothing that can fail. */
  async check(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}
}

function allowAll(rule: RateLimitRule): RateLimitResult {
  return { allowed: true, limit: rule.limit, remaining: rule.limit, resetSeconds: 0, retryAfterSeconds: 0, count: 0 };
}
