import { inject, injectable } from 'inversify';
import { DATABASE_INFO, type DatabaseInfo } from '../database/database-info';
import type { PoolMetrics } from '../domain/types';

/** Connection-pool figures for `GET /metrics/database` (docs/reference/routes.md "Database metrics"). */
@injectable()
export class MetricsService {
  constructor(@inject(DATABASE_INFO) private readonly database: DatabaseInfo) {}

  /** The pool figures, with `total_connections` always `checked_in + checked_out`. */
  async getPoolMetrics(): Promise<PoolMetrics> {
    const metrics = this.database.poolMetrics();
    return { ...metrics, total_connections: metrics.checked_in + metrics.checked_out };
  }
}
