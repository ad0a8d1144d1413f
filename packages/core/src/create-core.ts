import 'reflect-metadata';
import { Container, ContainerModule } from 'inversify';
import type { Core } from './core';
import { AuditPurgeTimer } from './audit/audit-purge-timer';
import { AuditRecorder } from './audit/audit-recorder';
import { CLOCK, systemClock, type Clock } from './clock/clock';
import { CORE_CONFIG, resolveOptions, type CoreConfig, type CoreOptions, type ResolvedOptions } from './config/options';
import { EXECUTION_CONTEXT, ExecutionContext } from './context/execution-context';
import { createSequelize } from './database/connection';
import { DATABASE_INFO } from './database/database-info';
import { allMigrations, createMigrator } from './database/migrator';
import { checkRedisDriver } from './database/optional-peer';
import { probeDatabase } from './database/probe-database';
import { SessionPurge } from './database/session-purge';
import { createTableNames, TABLE_NAMES, type TableNames } from './database/table-names';
import { SequelizeDatabaseInfo } from './database/sequelize-database-info';
import { SequelizeUnitOfWork } from './database/sequelize-unit-of-work';
import { UNIT_OF_WORK } from './database/unit-of-work';
import { createModels, MODELS, SEQUELIZE } from './models/create-models';
import { createUserFields, USER_FIELDS, type UserFields } from './domain/user-fields';
import type { CoreHooks } from './events/core-events';
import { EVENT_BUS, EventBus } from './events/event-bus';
import { createUserSchemas, USER_SCHEMAS, type UserSchemas } from './schemas/user';
import { CACHE, type Cache } from './cache/cache';
import { createCache } from './cache/create-cache';
import { RATE_LIMITER, type RateLimiter } from './rate-limit/rate-limiter';
import { createRateLimiter } from './rate-limit/create-rate-limiter';
import { AUDIT_EVENT_REPOSITORY } from './repositories/audit-event-repository';
import { SequelizeAuditEventRepository } from './repositories/sequelize-audit-event-repository';
import { SESSION_REPOSITORY } from './repositories/session-repository';
import { SequelizeSessionRepository } from './repositories/sequelize-session-repository';
import { SequelizeUserRepository } from './repositories/sequelize-user-repository';
import { USER_LIST_SETTINGS, USER_REPOSITORY } from './repositories/user-repository';
import { createPasswordHasher } from './security/create-password-hasher';
import { JwtTokenService } from './security/jwt-token-service';
import { PASSWORD_HASHER, type PasswordHasher } from './security/password-hasher';
import { REFRESH_TOKEN_CODEC, RefreshTokenCodec } from './security/refresh-token-codec';
import { TOKEN_SERVICE } from './security/token-service';
import { AuditService } from './services/audit-service';
import { AuthService } from './services/auth-service';
import { DashboardService } from './services/dashboard-service';
import { ExportService } from './services/export-service';
import { HealthService } from './services/health-service';
import { MetricsService } from './services/metrics-service';
import { UserService } from './services/user-service';
import { createHttpApi } from './http/create-http-api';
import { LogMailer } from './mail/log-mailer';
import { MAIL_DISPATCHER, MailDispatcher } from './mail/mail-dispatcher';
import { MailRenderer } from './mail/mail-templates';
import { MAILER, type Mailer } from './mail/mailer';
import { SmtpMailer } from './mail/smtp-mailer';
import { ACCOUNT_MODELS, createAccountModels } from './models/account-models';
import { ACCOUNT_TOKEN_REPOSITORY } from './repositories/account-token-repository';
import { MAIL_OUTBOX_REPOSITORY, type MailOutboxRepository } from './repositories/mail-outbox-repository';
import { SequelizeAccountTokenRepository } from './repositories/sequelize-account-token-repository';
import { SequelizeMailOutboxRepository } from './repositories/sequelize-mail-outbox-repository';
import { ACCOUNT_SCHEMAS, createAccountSchemas, type AccountSchemas } from './schemas/account';
import { preloadCommonPasswords } from './schemas/common-passwords';
import { AccountMail } from './services/account-mail';
import { AccountService } from './services/account-service';
import { checkMailTemplates } from './mail/check-templates';
import type { Logger } from './logger/logger';
import { METRICS } from './metrics/metrics';
import { PrometheusMetrics } from './metrics/prometheus-metrics';
import { traceServices, traceSql } from './tracing/tracing';

/** The infrastructure one core uses: built first, what it created released by `close()`. */
interface Infrastructure {
  config: CoreConfig;
  tables: TableNames;
  executionContext: ExecutionContext;
  sequelize: ReturnType<typeof createSequelize>['sequelize'];
  provider: ReturnType<typeof createSequelize>['provider'];
  cache: Cache;
  limiter: RateLimiter;
  hasher: PasswordHasher;
  /** This core's metrics, on a Registry of its own (docs/reference/routes.md "Metrics"). */
  metrics: PrometheusMetrics;
  clock: Clock;
  mailer: Mailer;
  renderer: MailRenderer;
  fields: UserFields;
  schemas: UserSchemas;
  accountSchemas: AccountSchemas;
  hooks: CoreHooks;
  /** What this core created and so must close (never a port the host passed in). */
  owned: Array<{ close(): Promise<void> }>;
  /** What must stop before anything is closed (the purge timer). */
  stoppers: Array<() => Promise<void>>;
}

function buildInfrastructure({ config, ports, fields: extraFields, hooks }: ResolvedOptions): Infrastructure {
  const fields = createUserFields(extraFields);
  const { sequelize, provider } = createSequelize(config.database, config.logger);
  traceSql(sequelize, provider === 'postgres' ? 'postgresql' : 'sqlite');
  const owned: Array<{ close(): Promise<void> }> = [];
  const own = <T extends { close(): Promise<void> }>(port: T): T => (owned.push(port), port);
  const metrics = new PrometheusMetrics();
  return {
    config,
    tables: createTableNames(config.database),
    executionContext: new ExecutionContext(),
    sequelize,
    provider,
    cache: ports.cache ?? own(createCache(config)),
    limiter: ports.rateLimiter ?? own(createRateLimiter(config)),
    hasher: ports.passwordHasher ?? own(createPasswordHasher(config, { onQueueWait: (seconds) => metrics.hashQueueWait(seconds) })),
    metrics,
    clock: ports.clock ?? systemClock,
    mailer: ports.mailer ?? createMailer(config, own),
    renderer: new MailRenderer(config.mail.templates),
    fields,
    schemas: createUserSchemas(fields, { bulkMax: config.bulkMax, passwordMinLength: config.passwordMinLength }),
    accountSchemas: createAccountSchemas(config.passwordMinLength),
    hooks,
    owned,
    stoppers: [],
  };
}

/**
 * The built-in mailer: SMTP when `SMTP_URL` is set, else the development mailer, which in
 * production logs no bodies (a reset link there would be a credential in the logs).
 */
function createMailer(config: CoreConfig, own: <T extends { close(): Promise<void> }>(port: T) => T): Mailer {
  if (config.mail.smtpUrl) return own(new SmtpMailer({ url: config.mail.smtpUrl, from: config.mail.from }));
  const production = config.environment === 'production';
  if (production) config.logger.warn('SMTP_URL is not set: mails are only logged (without their bodies), never delivered.');
  return new LogMailer(config.logger, { bodies: !production });
}

/** Database, transactions, ports, the user registry and events: constants of this core. */
const infrastructureModule = (infra: Infrastructure) =>
  new ContainerModule(({ bind }) => {
    const models = createModels(infra.sequelize, infra.fields, infra.tables);
    const uow = new SequelizeUnitOfWork(infra.sequelize, infra.executionContext);
    bind(CORE_CONFIG).toConstantValue(infra.config);
    bind(USER_LIST_SETTINGS).toConstantValue({ exactCountLimit: infra.config.listExactCountLimit });
    bind(EXECUTION_CONTEXT).toConstantValue(infra.executionContext);
    bind(SEQUELIZE).toConstantValue(infra.sequelize);
    bind(MODELS).toConstantValue(models);
    bind(TABLE_NAMES).toConstantValue(infra.tables);
    bind(UNIT_OF_WORK).toConstantValue(uow);
    bind(DATABASE_INFO).toConstantValue(new SequelizeDatabaseInfo(infra.sequelize, infra.provider, infra.config.database.poolMax));
    bind(USER_FIELDS).toConstantValue(infra.fields);
    bind(USER_SCHEMAS).toConstantValue(infra.schemas);
    bind(ACCOUNT_SCHEMAS).toConstantValue(infra.accountSchemas);
    bind(ACCOUNT_MODELS).toConstantValue(createAccountModels(infra.sequelize, infra.tables));
    const events = new EventBus(uow, infra.executionContext, infra.config.logger, infra.hooks);
    bind(EVENT_BUS).toConstantValue(events);
    bind(MAILER).toConstantValue(infra.mailer);
    bind(CLOCK).toConstantValue(infra.clock);
    bind(CACHE).toConstantValue(infra.cache);
    bind(RATE_LIMITER).toConstantValue(infra.limiter);
    bind(PASSWORD_HASHER).toConstantValue(infra.hasher);
    bind(METRICS).toConstantValue(infra.metrics);
    bind(TOKEN_SERVICE).toConstantValue(
      new JwtTokenService({
        secretKey: infra.config.secretKey,
        expireMinutes: infra.config.accessTokenExpireMinutes,
        issuer: infra.config.tokens.issuer,
        audience: infra.config.tokens.audience,
        now: () => infra.clock.now().getTime(),
      }),
    );
    bind(REFRESH_TOKEN_CODEC).toConstantValue(new RefreshTokenCodec(infra.config.secretKey));
  });

/** Users: their repository and the user service. */
const usersModule = new ContainerModule(({ bind }) => {
  bind(USER_REPOSITORY).to(SequelizeUserRepository).inSingletonScope();
  bind(UserService).toSelf().inSingletonScope();
});

/** Authentication: sessions and the auth service. */
const authModule = new ContainerModule(({ bind }) => {
  bind(SESSION_REPOSITORY).to(SequelizeSessionRepository).inSingletonScope();
  bind(AuthService).toSelf().inSingletonScope();
});

/** Mail and the account flows: tokens, the outbox and its dispatcher, the account service. */
const accountModule = (infra: Infrastructure) =>
  new ContainerModule(({ bind }) => {
    bind(ACCOUNT_TOKEN_REPOSITORY).to(SequelizeAccountTokenRepository).inSingletonScope();
    bind(MAIL_OUTBOX_REPOSITORY).to(SequelizeMailOutboxRepository).inSingletonScope();
    bind(MAIL_DISPATCHER)
      .toDynamicValue((context) => {
        const { mail, logger } = infra.config;
        return new MailDispatcher(
          {
            outbox: context.get<MailOutboxRepository>(MAIL_OUTBOX_REPOSITORY),
            mailer: infra.mailer,
            renderer: infra.renderer,
            uow: context.get(UNIT_OF_WORK),
            events: context.get(EVENT_BUS),
            logger: logger as Logger,
            clock: infra.clock,
            executionContext: infra.executionContext,
          },
          { pollIntervalMs: mail.pollIntervalMs, maxAttempts: mail.maxAttempts, retryDelayMs: mail.retryDelayMs, autoSend: mail.autoSend },
        );
      })
      .inSingletonScope();
    bind(AccountMail).toSelf().inSingletonScope();
    bind(AccountService).toSelf().inSingletonScope();
  });

/** Operations: dashboard, pool metrics, health and exports. */
const operationsModule = new ContainerModule(({ bind }) => {
  bind(DashboardService).toSelf().inSingletonScope();
  bind(MetricsService).toSelf().inSingletonScope();
  bind(HealthService).toSelf().inSingletonScope();
  bind(ExportService).toSelf().inSingletonScope();
});

/** The audit trail: its repository, the service that reads and prunes it, and the writer hooks. */
const auditModule = new ContainerModule(({ bind }) => {
  bind(AUDIT_EVENT_REPOSITORY).to(SequelizeAuditEventRepository).inSingletonScope();
  bind(AuditService).toSelf().inSingletonScope();
  bind(AuditRecorder).toSelf().inSingletonScope();
});

/**
 * Builds a core: validates `options`, opens the database pool (and Redis when configured),
 * checks that the database answers, starts the hashing workers, wires the services with
 * InversifyJS, optionally runs pending migrations (the core's, then `options.migrations`),
 * creates the first superuser and starts the session purge timer. Each call builds its own
 * container and shares nothing with another core.
 *
 * @throws ConfigError naming the bad option (or a driver package to install).
 * @throws StartupError naming DATABASE_URL when the database cannot be used.
 * @example
 * const core = await createCore({ database: { url: 'sqlite:./data/app.sqlite' }, migrate: true });
 * const page = await core.services.users.listUsers({ page: 1, size: 20, sort_by: 'created_at', sort_order: 'desc' });
 * await core.close();
 */
export async function createCore(options: CoreOptions = {}): Promise<Core> {
  const resolved = resolveOptions(options);
  const { config } = resolved;
  // Refused before anything is opened: a colliding migration name, a missing Redis driver.
  allMigrations(config.migrations);
  checkRedisDriver(config);
  const infra = buildInfrastructure(resolved);
  let purge: SessionPurge | undefined;
  let dispatcher: MailDispatcher | undefined;
  let account: AccountService | undefined;
  const release = once(async () => {
    // Background work first: it needs the database the release closes.
    await purge?.stop();
    await dispatcher?.stop();
    await account?.settled();
    await releaseInfrastructure(infra);
  });
  try {
    checkMailTemplates(infra.renderer);
    await probeDatabase(infra.sequelize, config.database.url);
    // About half a second, once per process: at start rather than in a first registration.
    preloadCommonPasswords();
    const container = new Container({ defaultScope: 'Singleton' });
    container.load(infrastructureModule(infra), usersModule, authModule, accountModule(infra), operationsModule, auditModule);
    dispatcher = container.get<MailDispatcher>(MAIL_DISPATCHER);
    account = container.get(AccountService);
    container.get(AccountMail).install(container.get<EventBus>(EVENT_BUS));
    const events = container.get<EventBus>(EVENT_BUS);
    // After the host's hooks (added by the bus's constructor): a host veto spares the insert.
    container.get(AuditRecorder).install(events);
    observeMetrics(infra.metrics, events, container);
    // Each facade call in its own span (no-op without a tracer provider).
    const services = Object.freeze(traceServices({
      auth: container.get(AuthService),
      users: container.get(UserService),
      dashboard: container.get(DashboardService),
      metrics: container.get(MetricsService),
      health: container.get(HealthService),
      export: container.get(ExportService),
      account,
      audit: container.get(AuditService),
    }));
    // Built before anything touches the database, so a bad route policy fails at once.
    const http = createHttpApi({
      config,
      services,
      cache: infra.cache,
      limiter: infra.limiter,
      executionContext: infra.executionContext,
      metrics: infra.metrics,
      fields: infra.fields,
      schemas: infra.schemas,
      account: infra.accountSchemas,
      clock: infra.clock,
    });
    const migrator = createMigrator(infra.sequelize, config.logger, { tables: infra.tables, hostMigrations: config.migrations });
    if (config.migrate) await migrator.up();
    if (config.firstSuperuser) await services.users.ensureSuperuser(config.firstSuperuser);
    purge = new SessionPurge(container.get(SESSION_REPOSITORY), config.logger, () => infra.clock.now());
    purge.start(config.sessionPurgeIntervalMinutes);
    dispatcher.start();
    const maintenance = Object.freeze({ purgeExpiredSessions: () => (purge as SessionPurge).run() });
    const { purgeIntervalMinutes } = config.audit;
    if (purgeIntervalMinutes !== undefined) {
      const timer = new AuditPurgeTimer((purge) => services.audit.purge(purge), purgeIntervalMinutes * 60_000, config.logger);
      // First in the list: stopped, and its running batch awaited, before the pool closes.
      infra.stoppers.push(() => timer.stop());
      timer.start();
    }
    return Object.freeze({
      config,
      services,
      http,
      migrator,
      maintenance,
      fields: infra.fields,
      schemas: infra.schemas,
      events: { on: events.on.bind(events) },
      mail: {
        flush: async () => {
          await account!.settled();
          return dispatcher!.drain();
        },
      },
      close: release,
    });
  } catch (error) {
    // A close that hangs (a half-open connection) must not swallow the reason for failing.
    await Promise.race([release().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    throw error;
  }
}

/** Feeds the metrics what the core knows elsewhere: login outcomes (events) and scrape-time figures. */
function observeMetrics(metrics: PrometheusMetrics, events: EventBus, container: Container): void {
  events.on('login.succeeded', () => metrics.login('success'));
  events.on('login.failed', () => metrics.login('failure'));
  events.on('login.locked', () => metrics.login('locked'));
  const database = container.get<SequelizeDatabaseInfo>(DATABASE_INFO);
  const health = container.get(HealthService);
  metrics.observe({ pool: () => database.poolMetrics(), fallbacks: () => health.fallbacks() });
}

async function releaseInfrastructure(infra: Infrastructure): Promise<void> {
  await Promise.allSettled(infra.stoppers.map((stop) => stop()));
  // Every resource is released even when another fails to close.
  const results = await Promise.allSettled([...infra.owned.map((port) => port.close()), infra.sequelize.close()]);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
}

function once(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= action());
}
