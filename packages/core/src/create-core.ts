import 'reflect-metadata';
import { Container, ContainerModule } from 'inversify';
import type { Core } from './core';
import { AuditPurgeTimer } from './audit/audit-purge-timer';
import { AuditRecorder } from './audit/audit-recorder';
import { CLOCK, systemClock, type Clock } from './clock/clock';
import { CORE_CONFIG, resolveOptions, type CoreConfig, type CoreOptions } from './config/options';
import { EXECUTION_CONTEXT, ExecutionContext } from './context/execution-context';
import { createSequelize } from './database/connection';
import { DATABASE_INFO } from './database/database-info';
import { createMigrator } from './database/migrator';
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
import { USER_REPOSITORY } from './repositories/user-repository';
import { BcryptPasswordHasher } from './security/bcrypt-password-hasher';
import { JwtTokenService } from './security/jwt-token-service';
import { PASSWORD_HASHER, type PasswordHasher } from './security/password-hasher';
import { TOKEN_SERVICE } from './security/token-service';
import { AuditService } from './services/audit-service';
import { AuthService } from './services/auth-service';
import { DashboardService } from './services/dashboard-service';
import { ExportService } from './services/export-service';
import { HealthService } from './services/health-service';
import { MetricsService } from './services/metrics-service';
import { UserService } from './services/user-service';
import { createHttpApi } from './http/create-http-api';

/** The infrastructure one core uses: built first, what it created released by `close()`. */
interface Infrastructure {
  config: CoreConfig;
  executionContext: ExecutionContext;
  sequelize: ReturnType<typeof createSequelize>['sequelize'];
  provider: ReturnType<typeof createSequelize>['provider'];
  cache: Cache;
  limiter: RateLimiter;
  hasher: PasswordHasher;
  clock: Clock;
  fields: UserFields;
  schemas: UserSchemas;
  hooks: CoreHooks;
  /** What this core created and so must close (never a port the host passed in). */
  owned: Array<{ close(): Promise<void> }>;
  /** What must stop before anything is closed (the purge timer). */
  stoppers: Array<() => Promise<void>>;
}

function buildInfrastructure(options: CoreOptions): Infrastructure {
  const { config, ports, fields: extraFields, hooks } = resolveOptions(options);
  const fields = createUserFields(extraFields);
  const { sequelize, provider } = createSequelize(config.database, config.logger);
  const owned: Array<{ close(): Promise<void> }> = [];
  const own = <T extends { close(): Promise<void> }>(port: T): T => (owned.push(port), port);
  return {
    config,
    executionContext: new ExecutionContext(),
    sequelize,
    provider,
    cache: ports.cache ?? own(createCache(config)),
    limiter: ports.rateLimiter ?? own(createRateLimiter(config)),
    hasher: ports.passwordHasher ?? own(new BcryptPasswordHasher({ rounds: config.bcryptRounds, workers: config.hashWorkers })),
    clock: ports.clock ?? systemClock,
    fields,
    schemas: createUserSchemas(fields, { bulkMax: config.bulkMax }),
    hooks,
    owned,
    stoppers: [],
  };
}

/** Database, transactions, ports, the user registry and events: constants of this core. */
const infrastructureModule = (infra: Infrastructure) =>
  new ContainerModule(({ bind }) => {
    const models = createModels(infra.sequelize, infra.fields);
    const uow = new SequelizeUnitOfWork(infra.sequelize, infra.executionContext);
    bind(CORE_CONFIG).toConstantValue(infra.config);
    bind(EXECUTION_CONTEXT).toConstantValue(infra.executionContext);
    bind(SEQUELIZE).toConstantValue(infra.sequelize);
    bind(MODELS).toConstantValue(models);
    bind(UNIT_OF_WORK).toConstantValue(uow);
    bind(DATABASE_INFO).toConstantValue(new SequelizeDatabaseInfo(infra.sequelize, infra.provider, infra.config.database.poolMax));
    bind(USER_FIELDS).toConstantValue(infra.fields);
    bind(USER_SCHEMAS).toConstantValue(infra.schemas);
    bind(EVENT_BUS).toConstantValue(new EventBus(uow, infra.executionContext, infra.config.logger, infra.hooks));
    bind(CLOCK).toConstantValue(infra.clock);
    bind(CACHE).toConstantValue(infra.cache);
    bind(RATE_LIMITER).toConstantValue(infra.limiter);
    bind(PASSWORD_HASHER).toConstantValue(infra.hasher);
    bind(TOKEN_SERVICE).toConstantValue(
      new JwtTokenService({
        secretKey: infra.config.secretKey,
        expireMinutes: infra.config.accessTokenExpireMinutes,
        now: () => infra.clock.now().getTime(),
      }),
    );
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
 * starts the hashing workers, wires the services with InversifyJS, optionally runs pending
 * migrations and creates the first superuser. Each call builds its own container and shares
 * nothing with another core.
 *
 * @throws ConfigError naming the bad option.
 * @example
 * const core = await createCore({ database: { url: 'sqlite:./data/app.sqlite' }, migrate: true });
 * const page = await core.services.users.listUsers({ page: 1, size: 20, sortBy: 'created_at', sortOrder: 'desc' });
 * await core.close();
 */
export async function createCore(options: CoreOptions = {}): Promise<Core> {
  const infra = buildInfrastructure(options);
  const { config } = infra;
  const release = once(() => releaseInfrastructure(infra));
  try {
    const container = new Container({ defaultScope: 'Singleton' });
    container.load(infrastructureModule(infra), usersModule, authModule, operationsModule, auditModule);
    const events = container.get<EventBus>(EVENT_BUS);
    // After the host's hooks (added by the bus's constructor): a host veto spares the insert.
    container.get(AuditRecorder).install(events);
    const services = Object.freeze({
      auth: container.get(AuthService),
      users: container.get(UserService),
      dashboard: container.get(DashboardService),
      metrics: container.get(MetricsService),
      health: container.get(HealthService),
      export: container.get(ExportService),
      audit: container.get(AuditService),
    });
    const migrator = createMigrator(infra.sequelize, config.logger);
    if (config.migrate) await migrator.up();
    if (config.firstSuperuser) await services.users.ensureSuperuser(config.firstSuperuser);
    const http = createHttpApi({
      config,
      services,
      cache: infra.cache,
      limiter: infra.limiter,
      executionContext: infra.executionContext,
      fields: infra.fields,
      schemas: infra.schemas,
      clock: infra.clock,
    });
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
      fields: infra.fields,
      schemas: infra.schemas,
      events: { on: events.on.bind(events) },
      close: release,
    });
  } catch (error) {
    await release();
    throw error;
  }
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
