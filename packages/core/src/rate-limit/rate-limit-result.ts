import type { RateLimitResult, RateLimitRule } from './rate-limiter';

/**
 * Turns a key's raw state into the figures of the port: `count` hits in a window with
 * `ttlMs` left. `consumed` says whether this call counted a hit (consume) or not (peek):
 * a consumed hit is allowed while `count <= limit`, a peek asks about the next hit.
 */
export function toRateLimitResult(rule: RateLimitRule, count: number, ttlMs: number, consumed: boolean): RateLimitResult {
  const allowed = consumed ? count <= rule.limit : count < rule.limit;
  // A window always lasts a whole number of seconds from the client's point of view.
  const resetSeconds = count > 0 && ttlMs > 0 ? Math.max(1, Math.ceil(ttlMs / 1000)) : 0;
  return {
    allowed,
    limit: rule.limit,
    remaining: Math.max(0, rule.limit - count),
    resetSeconds,
    retryAfterSeconds: allowed ? 0 : Math.max(1, resetSeconds),
    count,
  };
}
