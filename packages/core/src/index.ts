/**
 * @app/core — the framework-agnostic user and authentication domain.
 *
 * Hosts and workers use `createCore(options)` and the typed `Core` it returns; adapters
 * (`@app/express`, `@app/koa`, `@app/fastify`) serve `core.http` through the Node kit below.
 * Exports are named one by one.
 */
import 'reflect-metadata';

export { createCore } from './create-core';
export type { Core } from './core';
export { VERSION } from './version';

// Configuration
export { resolveConfig, coreOptionsSchema, ConfigError } from './config/options';
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

// Host routes
export { defineRoute } from './http/route';
export type { Route, RouteDefinition, RouteContext, RouteResult, RouteSchemas, RouteCacheRule, AuthLevel } from './http/route';

// The HTTP contract, for adapters
export type { HttpApi, MountedRoute } from './http/http-api';
export type { AuthOutcome } from './http/pipeline';
export type { HttpRequest, HttpResponse, HttpResponseBody, HttpMethod } from './http/types';

// The Node adapter kit: what every adapter (and a host server) is built from
export { toHttpRequest } from './http/node/node-request';
export type { NodeRequestView } from './http/node/node-request';
export { writeNodeResponse } from './http/node/node-response';
export type { NodeWriteOptions } from './http/node/node-response';
export { handleNodeRequest, authenticateNodeRequest } from './http/node/serve-node';
export type { NodeHandleOptions } from './http/node/serve-node';
export { errorResponse, handleClientError } from './http/node/server-answers';
export type { ErrorResponseOptions } from './http/node/server-answers';
