import type { CoreConfig } from './config/options';
import type { AccountService } from './services/account-service';
import type { AuditService } from './services/audit-service';
import type { AuthService } from './services/auth-service';
import type { DashboardService } from './services/dashboard-service';
import type { ExportService } from './services/export-service';
import type { HealthService } from './services/health-service';
import type { MetricsService } from './services/metrics-service';
import type { UserService } from './services/user-service';
import type { HttpApi } from './http/http-api';
import type { Migrator } from './database/migrator';
import type { UserFields } from './domain/user-fields';
import type { UserSchemas } from './schemas/user';
import type { CoreEventSource } from './events/core-events';

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
    /** Password reset, email verification, change-password (docs/reference/routes.md "Account"). */
    readonly account: AccountService;
    /** The audit trail: pages, exports and the retention purge (rows are written by the core's hooks). */
    readonly audit: AuditService;
  };
  /** The route table and the pipeline that the adapters mount. */
  readonly http: HttpApi;
  /** Versioned migrations (the core's, then the host's): `up()`, `down()`, `status()`. */
  readonly migrator: Migrator;
  /** The user's fields: the core's and the host's (docs/guides/extending.md "Fields"). */
  readonly fields: UserFields;
  /** The user's wire schemas, derived from the fields: the ones the routes and services enforce. */
  readonly schemas: UserSchemas;
  /**
   * Events after commit: `core.events.on('user.created', listener)`; every audit row as it
   * commits: `core.events.on('audit.recorded', (event) => ship(event))`.
   */
  readonly events: CoreEventSource;
  /** Housekeeping the timers also do; for CLIs and cron jobs. */
  readonly maintenance: {
    /** Deletes every expired or revoked session now; resolves with how many went. */
    purgeExpiredSessions(): Promise<number>;
  };
  /** The outbox of this core's mails (docs/guides/security.md "Mail"). */
  readonly mail: {
    /**
     * Finishes the work of answered reset requests, then sends every mail due now; resolves
     * with how many were sent. For workers about to exit, and tests.
     */
    flush(): Promise<number>;
  };
  /**
   * Releases the pool, and the Redis connections and hashing workers this core created (a
   * port the host passed in is left to the host). Idempotent.
   */
  close(): Promise<void>;
}
