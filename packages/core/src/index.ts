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
export { StartupError } from './config/startup-error';
export type { CoreOptions, CoreConfig, CoreLogger } from './config/options';
export { loadConfigFromEnv, readPort, ENV_VARIABLES } from './config/env';
export type { EnvVariable } from './config/env';

// Errors
export { AppError, ERROR_STATUS, isAppError } from './errors/app-error';
export type { ErrorCode, ErrorDetail } from './errors/app-error';

// Domain
export type {
  User,
  Session,
  Page,
  UserListQuery,
  UserSortField,
  SortOrder,
  DashboardStats,
  PoolMetrics,
  HealthReport,
  ClientInfo,
  AuthContext,
} from './domain/types';
export { toUserJson } from './domain/user-json';

// Services (their types; instances come from `core.services`)
export type { AuthService, LoginResult, ListedSession } from './services/auth-service';
export type { UserService, AdminUserInput, EnsureSuperuserResult, NewUserInput, UserUpdateInput, SeedUsersOptions } from './services/user-service';
export type { DashboardService } from './services/dashboard-service';
export type { MetricsService } from './services/metrics-service';
export type { HealthService } from './services/health-service';
export type { ExportService } from './services/export-service';
export type { Migrator } from './database/migrator';
export type { Migration, MigrationContext } from './database/migrations/migration';
export type { TableNames, CoreTable } from './database/table-names';

// Wire schemas (for validating input outside HTTP, e.g. CSV rows in a worker)
export {
  userCreateSchema,
  userCreateByAdminSchema,
  userUpdateSchema,
  loginSchema,
  userListQuerySchema,
  userResponseSchema,
} from './schemas/user';
export type { UserJson } from './schemas/user';

// Ports, for hosts that bring their own implementation or read the backend in use
export type { Cache } from './cache/cache';
export type { RateLimiter, RateLimitRule, RateLimitResult } from './rate-limit/rate-limiter';
export { MemoryCache } from './cache/memory-cache';
export { RedisCache } from './cache/redis-cache';
export { MemoryRateLimiter } from './rate-limit/memory-rate-limiter';
export { RedisRateLimiter } from './rate-limit/redis-rate-limiter';

// The HTTP contract, for adapters
export type { HttpApi, MountedRoute } from './http/http-api';
export type { HttpRequest, HttpResponse, HttpResponseBody, HttpMethod } from './http/types';
