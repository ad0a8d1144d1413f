import 'reflect-metadata';
import { after, before } from 'mocha';
import type { Sequelize } from 'sequelize-typescript';
import { createUserFields, type UserFields } from '../domain/user-fields';
import { silentLogger, type Logger } from '../logger/logger';
import { ExecutionContext } from '../context/execution-context';
import { createSequelize } from '../database/connection';
import { createMigrator, type Migrator } from '../database/migrator';
import { SequelizeDatabaseInfo } from '../database/sequelize-database-info';
import { SequelizeUnitOfWork } from '../database/sequelize-unit-of-work';
import { createTableNames, type TableNameOptions, type TableNames } from '../database/table-names';
import { createModels, type Models } from '../models/create-models';
import { SequelizeSessionRepository } from '../repositories/sequelize-session-repository';
import { SequelizeUserRepository } from '../repositories/sequelize-user-repository';
import type { TestDatabase, TestDatabaseTarget } from './test-databases';

/** A migrated database with the data layer wired by hand, as create-core wires it. */
export interface DatabaseFixture {
  sequelize: Sequelize;
  provider: 'postgres' | 'sqlite';
  models: Models;
  fields: UserFields;
  executionContext: ExecutionContext;
  uow: SequelizeUnitOfWork;
  users: SequelizeUserRepository;
  sessions: SequelizeSessionRepository;
  migrator: Migrator;
  info: SequelizeDatabaseInfo;
  /** The table names the fixture migrated and the models use. */
  tables: TableNames;
  /** Empties both tables (sessions go by cascade) so each test starts clean. */
  truncate(): Promise<void>;
  close(): Promise<void>;
}


/**
 * Opens `url`, runs the migrations (unless `migrate: false`) and builds the unit of work,
 * repositories and database info of one core, without the container. For the data-layer
 * tests of this package and for service integration tests.
 *
 * @example
 * const db = await target.create();
 * const fixture = await openDatabaseFixture(db.url);
 * await fixture.users.create({ email: 'a@example.com', username: 'alice', hashed_password: 'x' });
 * await fixture.close(); await db.drop();
 */
export async function openDatabaseFixture(
  url: string,
  options: {
    poolMax?: number;
    migrate?: boolean;
    logger?: Logger;
    fields?: UserFields;
    tables?: TableNameOptions;
    /** The list's exact-count limit (default 10,000, as in the core's options). */
    exactCountLimit?: number;
  } = {},
): Promise<DatabaseFixture> {
  const logger = options.logger ?? silentLogger;
  const poolMax = options.poolMax ?? 5;
  const { sequelize, provider } = createSequelize({ url, poolMax, poolMin: 0, logging: false }, logger);
  const fields = options.fields ?? createUserFields();
  const tables = createTableNames(options.tables);
  const models = createModels(sequelize, fields, tables);
  const executionContext = new ExecutionContext();
  const uow = new SequelizeUnitOfWork(sequelize, executionContext);
  const migrator = createMigrator(sequelize, logger, { tables });
  if (options.migrate !== false) await migrator.up();
  return {
    sequelize,
    provider,
    models,
    executionContext,
    uow,
    fields,
    users: new SequelizeUserRepository(models, uow, fields, { exactCountLimit: options.exactCountLimit ?? 10_000 }),
    sessions: new SequelizeSessionRepository(models, uow, fields),
    migrator,
    info: new SequelizeDatabaseInfo(sequelize, provider, poolMax),
    tables,
    async truncate() {
      await models.UserModel.destroy({ where: {} });
    },
    close: () => sequelize.close(),
  };
}

/** Options of {@link openDatabaseFixture} and {@link useDatabaseFixture}. */
export type DatabaseFixtureOptions = Parameters<typeof openDatabaseFixture>[1];

/**
 * Registers mocha hooks on the enclosing `describe`: `before` creates a fresh database of
 * `target` and opens a fixture on it, `after` closes it and drops the database. Returns the
 * fixture object, filled in once `before` has run.
 *
 * @example
 * for (const target of testDatabaseTargets()) {
 *   describe(`UserRepository (${target.name})`, () => {
 *     const fx = useDatabaseFixture(target);
 *     it('creates', async () => { await fx.users.create({ ... }); });
 *   });
 * }
 */
export function useDatabaseFixture(target: Pick<TestDatabaseTarget, 'create'>, options?: DatabaseFixtureOptions): DatabaseFixture {
  const fixture = {} as DatabaseFixture;
  let db: TestDatabase | undefined;
  before(async () => {
    db = await target.create();
    Object.assign(fixture, await openDatabaseFixture(db.url, options));
  });
  after(async () => {
    await fixture.close?.();
    await db?.drop();
  });
  return fixture;
}
