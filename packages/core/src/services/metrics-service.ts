import { createHash, timingSafeEqual } from 'node:crypto';
import { inject, injectable } from 'inversify';
import { CORE_CONFIG, type CoreConfig } from '../config/options';
import { DATABASE_INFO, type DatabaseInfo } from '../database/database-info';
import type { PoolMetrics } from '../domain/types';
import { authenticationError, authorizationError } from '../errors/app-error';
import { METRICS } from '../metrics/metrics';
import type { PrometheusMetrics } from '../metrics/prometheus-metrics';
import { AuthService } from './auth-service';

/**
 * Connection-pool figures for `GET /metrics/database` and the Prometheus exposition of
 * `GET /metrics` with its access rule (docs/reference/routes.md "Metrics").
 */
@injectable()
export class MetricsService {
  constructor(
    @inject(DATABASE_INFO) private readonly database: DatabaseInfo,
    @inject(METRICS) private readonly metrics: PrometheusMetrics,
    @inject(CORE_CONFIG) private readonly config: Pick<CoreConfig, 'metricsToken'>,
    @inject(AuthService) private readonly auth: Pick<AuthService, 'authenticate'>,
  ) {}

  /** The pool figures, with `total_connections` always `checked_in + checked_out`. */
  async getPoolMetrics(): Promise<PoolMetrics> {
    const metrics = this.database.poolMetrics();
    return { ...metrics, total_connections: metrics.checked_in + metrics.checked_out };
  }

  /**
   * Decides whether `bearer` (the request's Bearer token, if any) may scrape: with
   * `metricsToken` set, only that token (compared in constant time); otherwise only a
   * superuser's access token.
   *
   * @throws AppError `authentication_error` (401) for a missing or wrong token,
   *   `authorization_error` (403) for a user who is not a superuser.
   */
  async authorizeScrape(bearer: string | undefined): Promise<void> {
    const expected = this.config.metricsToken;
    if (bearer === undefined) throw authenticationError('Not authenticated');
    if (expected !== undefined) {
      if (!sameSecret(bearer, expected)) throw authenticationError('Invalid metrics token');
      return;
    }
    const caller = await this.auth.authenticate(bearer);
    if (!caller.user.is_superuser) throw authorizationError('Not enough permissions');
  }

  /** The Prometheus text exposition of this core's metrics, and its media type. */
  exposition(): Promise<{ contentType: string; text: string }> {
    return this.metrics.exposition();
  }
}

/** Constant-time equality of two secrets of any lengths (their digests are compared). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
