import 'reflect-metadata';
import { Container, ContainerModule } from 'inversify';
import type { Core } from './core';
import { CORE_CONFIG, resolveConfig, type CoreConfig, type CoreOptions } from './config/options';
import { EXECUTION_CONTEXT, ExecutionContext } from './context/execution-context';
import { createSequelize } from './database/connection';
import { DATABASE_INFO } from './database/database-info';
import { createMigrator } from './database/migrator';
import { SequelizeDatabaseInfo } from './database/sequelize-database-info';
import { SequelizeUnitOfWork } from './database/sequelize-unit-of-work';
import { UNIT_OF_WORK } from './database/unit-of-work';
import { createModels, MODELS, SEQUELIZE } from './models/create-models';
import { CACHE } from './cache/cache';
import { createCache } from './cache/create-cache';
import { RATE_LIMITER } from './rate-limit/rate-limiter';
import { createRateLimiter } from './rate-limit/create-rate-limiter';
import { SESSION_REPOSITORY } from './repositories/session-repository';
import { SequelizeSessionRepository } from './repositories/sequelize-session-repository';
import { SequelizeUserRepository } from './repositories/sequelize-user-repository';
import { USER_REPOSITORY } from './repositories/user-repository';
import { createPasswordHasher } from './security/create-password-hasher';
import { JwtTokenService } from './security/jwt-token-service';
import { PASSWORD_HASHER, type PasswordHasher } from './security/password-hasher';
import { TOKEN_SERVICE } from './security/token-service';
import { AuthService } from './services/auth-service';
import { DashboardService } from './services/dashboard-service';
import { ExportService } from './services/export-service';
import { HealthService } from './services/health-service';
import { MetricsService } from './services/metrics-service';
import { UserService } from './services/user-service';
import { createHttpApi } from './http/create-http-api';

/** The infrastructure one core owns: built first, released by `close()` in reverse order. */
interface Infrastructure {
  config: CoreConfig;
  executionContext: ExecutionContext;
  sequelize: ReturnType<typeof createSequelize>['sequelize'];
  provider: ReturnType<typeof createSequelize>['provider'];
  cache: ReturnType<typeof createCache>;
  limiter: ReturnType<typeof createRateLimiter>;
  hasher: PasswordHasher;
}

function buildInfrastructure(config: CoreConfig): Infrastructure {
  const { sequelize, provider } = createSequelize(config.database, config.logger);
  const executionContext = new ExecutionContext();
  return {
    config,
    executionContext,
    sequelize,
    provider,
    cache: createCache(config),
    limiter: createRateLimiter(config),
    // Hashing inside a request is dropped when the request's signal aborts, and takes turns per request.
    hasher: createPasswordHasher(config, { scope: () => ({ signal: executionContext.signal }) }),
  };
}

/** Database, transactions, ports and security: instances this core created, as constants. */
const infrastructureModule = (infra: Infrastructure) =>
  new ContainerModule(({ bind }) => {
    const models = createModels(infra.sequelize);
    bind(CORE_CONFIG).toConstantValue(infra.config);
    bind(EXECUTION_CONTEXT).toConstantValue(infra.executionContext);
    bind(SEQUELIZE).toConstantValue(infra.sequelize);
    bind(MODELS).toConstantValue(models);
    bind(UNIT_OF_WORK).toConstantValue(new SequelizeUnitOfWork(infra.sequelize, infra.executionContext));
    bind(DATABASE_INFO).toConstantValue(new SequelizeDatabaseInfo(infra.sequelize, infra.provider, infra.config.database.poolMax));
    bind(CACHE).toConstantValue(infra.cache);
    bind(RATE_LIMITER).toConstantValue(infra.limiter);
    bind(PASSWORD_HASHER).toConstantValue(infra.hasher);
    bind(TOKEN_SERVICE).toConstantValue(
      new JwtTokenService({ secretKey: infra.config.secretKey, expireMinutes: infra.config.accessTokenExpireMinutes }),
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
  const config = resolveConfig(options);
  const infra = buildInfrastructure(config);
  const release = once(() => releaseInfrastructure(infra));
  try {
    const container = new Container({ defaultScope: 'Singleton' });
    container.load(infrastructureModule(infra), usersModule, authModule, operationsModule);
    const services = Object.freeze({
      auth: container.get(AuthService),
      users: container.get(UserService),
      dashboard: container.get(DashboardService),
      metrics: container.get(MetricsService),
      health: container.get(HealthService),
      export: container.get(ExportService),
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
    });
    return Object.freeze({ config, services, http, migrator, close: release });
  } catch (error) {
    await release();
    throw error;
  }
}

async function releaseInfrastructure(infra: Infrastructure): Promise<void> {
  // Every resource is released even when another fails to close.
  const results = await Promise.allSettled([
    infra.hasher.close(),
    infra.cache.close(),
    infra.limiter.close(),
    infra.sequelize.close(),
  ]);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
}

function once(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= action());
}
