/**
 * @app/core — the framework-agnostic user and authentication domain.
 *
 * Hosts and workers use `createCore(options)` and the typed `Core` it returns; adapters
 * (`@app/express`, `@app/koa`) mount `core.http`. Exports are named one by one.
 */
import 'reflect-metadata';

export { createCore } from './create-core';
export type { Core } from './core';
export { VERSION } from './version';

// Configuration
export { resolveConfig, coreOptionsSchema, ConfigError } from './config/options';
export type { CoreOptions, CoreConfig, CorePortOptions } from './config/options';
export { loadConfigFromEnv, readPort, ENV_VARIABLES } from './config/env';
export type { EnvVariable } from './config/env';

// Errors
export { AppError, ERROR_STATUS, isAppError } from './errors/app-error';
export type { ErrorCode, ErrorDetail } from './errors/app-error';

// Domain
export type {
  User,
  UserExtensions,
  UserRecord,
  Session,
  Page,
  UserListQuery,
  SortOrder,
  DashboardStats,
  PoolMetrics,
  HealthReport,
  ClientInfo,
  AuthContext,
  NewUserInput,
  AdminUserInput,
  UserUpdateInput,
} from './domain/types';

// The user's fields (docs/guides/extending.md "Fields")
export { createUserFields, UserFields, UserFieldError, CORE_USER_FIELDS } from './domain/user-fields';
export type {
  UserField,
  UserFieldDefinition,
  UserFieldDefinitions,
  UserFieldType,
  UserFieldWriter,
  InferUserFields,
} from './domain/user-fields';

// Hooks and events (docs/guides/extending.md "Hooks and events")
export type {
  CoreEvents,
  CoreEventName,
  CoreHook,
  CoreHooks,
  CoreListener,
  CoreEventSource,
  HookContext,
  UserCreateSource,
  SessionEndReason,
  LoginFailureReason,
  ExportKind,
} from './events/core-events';

// The audit trail (docs/reference/routes.md "Audit events")
export type { AuditEvent, AuditDetails, AuditDetailValue, AuditFilters, AuditPage } from './audit/audit-event';
export { auditEventTypes } from './audit/audit-rules';
export type { AuditService, AuditExportOptions, AuditPurgeOptions, AuditPurgeResult } from './services/audit-service';
export type { AuditListInput, AuditExportInput } from './schemas/audit';

// Services (their types; instances come from `core.services`)
export type { AuthService, LoginResult, ListedSession } from './services/auth-service';
export type { UserService, EnsureSuperuserResult, SeedUsersOptions } from './services/user-service';
export type { DashboardService } from './services/dashboard-service';
export type { Signups, SignupsInput } from './schemas/signups';
export type { MetricsService } from './services/metrics-service';
export type { HealthService } from './services/health-service';
export type { ExportService, UserExportOptions } from './services/export-service';
export type { Migrator } from './database/migrator';

// Wire schemas (for validating input outside HTTP, e.g. CSV rows in a worker)
export { createUserSchemas, loginSchema } from './schemas/user';
export type { UserSchemas, LoginInput } from './schemas/user';

// Ports, for hosts that bring their own implementation or read the backend in use
export type { Cache } from './cache/cache';
export type { RateLimiter, RateLimitRule, RateLimitResult, RateLimitTier } from './rate-limit/rate-limiter';
export type { PasswordHasher, HashOptions } from './security/password-hasher';
export type { Logger, LogMethod } from './logger/logger';
export { createConsoleLogger, silentLogger } from './logger/logger';
export type { Clock } from './clock/clock';
export { systemClock } from './clock/clock';
export type { Mailer, MailMessage } from './mail/mailer';
export { MemoryCache } from './cache/memory-cache';
export { RedisCache } from './cache/redis-cache';
export { MemoryRateLimiter } from './rate-limit/memory-rate-limiter';
export { RedisRateLimiter } from './rate-limit/redis-rate-limiter';
export { clientKey } from './rate-limit/client-key';
export type { ClientKeyOptions } from './rate-limit/client-key';

// The HTTP contract, for adapters
export type { HttpApi, MountedRoute } from './http/http-api';
export type { HttpRequest, HttpResponse, HttpResponseBody, HttpMethod } from './http/types';
