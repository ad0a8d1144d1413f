import type { CoreConfig } from './config/options';
import type { AuthService } from './services/auth-service';
import type { DashboardService } from './services/dashboard-service';
import type { ExportService } from './services/export-service';
import type { HealthService } from './services/health-service';
import type { MetricsService } from './services/metrics-service';
import type { UserService } from './services/user-service';
import type { HttpApi } from './http/http-api';
import type { Migrator } from './database/migrator';

/**
 * What `createCore` returns: the services for workers, the HTTP contract for adapters, the
 * migrator for the CLI, and `close()`. Hosts never touch the container.
 */
export interface Core {
  readonly config: Readonly<CoreConfig>;
  readonly services: {
    readonly auth: AuthService;
    readonly users: UserService;
    readonly dashboard: DashboardService;
    readonly metrics: MetricsService;
    readonly health: HealthService;
    readonly export: ExportService;
  };
  /** The route table and the pipeline that the adapters mount. */
  readonly http: HttpApi;
  /** Versioned migrations (the core's, then the host's): `up()`, `down()`, `status()`. */
  readonly migrator: Migrator;
  /** Housekeeping the timers also do; for CLIs and cron jobs. */
  readonly maintenance: {
    /** Deletes every expired or revoked session now; resolves with how many went. */
    purgeExpiredSessions(): Promise<number>;
  };
  /** Releases the pool, Redis connections and hashing workers. Idempotent. */
  close(): Promise<void>;
}
