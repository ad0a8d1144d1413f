/**
 * @app/core — the framework-agnostic user and authentication domain.
 *
 * Hosts and workers use `createCore(options)` and the typed `Core` it returns; adapters
 * (`@app/express`, `@app/koa`, `@app/fastify`) serve `core.http` through the Node kit below.
 * Exports are named one by one.
 */
import 'reflect-metadata';

export { createCore } from './create-core';
export { readImportFile } from './cli/import-file';
export type { ImportFile } from './cli/import-file';
export type { Core } from './core';
export { VERSION } from './version';

// Configuration
export { resolveConfig, coreOptionsSchema, ConfigError } from './config/options';
export { StartupError } from './config/startup-error';
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
export type { AuthService, LoginResult, ListedSession, SessionTokens } from './services/auth-service';
export type {
  UserService,
  EnsureSuperuserResult,
  SeedUsersOptions,
  ImportFailure,
  ImportOptions,
  ImportRow,
  ImportSummary,
} from './services/user-service';
export type { AccountService } from './services/account-service';
export { IMPORTABLE_HASH } from './services/import-users';
export type { DashboardService } from './services/dashboard-service';
export type { Signups, SignupsInput } from './schemas/signups';
export type { MetricsService } from './services/metrics-service';
export type { HealthService } from './services/health-service';
export type { ExportService, UserExportOptions } from './services/export-service';
export type { Migrator } from './database/migrator';
export type { Migration, MigrationContext } from './database/migrations/migration';
export { trigramSearchIndexes } from './database/migrations/0007-search-trigram-indexes';
export type { TableNames, CoreTable } from './database/table-names';

// Wire schemas (for validating input outside HTTP, e.g. CSV rows in a worker)
export { createUserSchemas, loginSchema } from './schemas/user';
export { createPasswordSchema, passwordSchema } from './schemas/fields';
export { isCommonPassword } from './schemas/common-passwords';
export type { UserSchemas, LoginInput } from './schemas/user';
export { refreshSchema } from './schemas/auth';
export type { RefreshInput } from './schemas/auth';

// Ports, for hosts that bring their own implementation or read the backend in use
export type { Cache } from './cache/cache';
export type { RateLimiter, RateLimitRule, RateLimitResult, RateLimitTier } from './rate-limit/rate-limiter';
export type { PasswordHasher, HashOptions } from './security/password-hasher';
export type { Logger, LogMethod } from './logger/logger';
export { createConsoleLogger, silentLogger } from './logger/logger';
export type { Clock } from './clock/clock';
export { systemClock } from './clock/clock';
export type { Mailer, MailMessage } from './mail/mailer';
export { LogMailer } from './mail/log-mailer';
export type { LogMailerOptions } from './mail/log-mailer';
export { SmtpMailer } from './mail/smtp-mailer';
export type { SmtpMailerOptions } from './mail/smtp-mailer';
export { escapeHtml, DEFAULT_MAIL_TEMPLATES } from './mail/mail-templates';
export type {
  MailKind,
  MailTemplate,
  MailTemplateData,
  MailTemplateOverrides,
  RenderedMail,
  TemplateHelpers,
} from './mail/mail-templates';
export { MemoryCache } from './cache/memory-cache';
export { RedisCache } from './cache/redis-cache';
export { MemoryRateLimiter } from './rate-limit/memory-rate-limiter';
export { RedisRateLimiter } from './rate-limit/redis-rate-limiter';
export { clientKey } from './rate-limit/client-key';
export type { ClientKeyOptions } from './rate-limit/client-key';

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
