import { after, before } from 'mocha';
import type { CoreOptions } from '../config/options';
import type { Core } from '../core';
import { createCore } from '../create-core';
import { createConsoleLogger } from '../logger/logger';
import { testDatabaseTargets, type TestDatabase, type TestDatabaseTarget } from './test-databases';

/**
 * Registers mocha hooks on the enclosing `describe` that build one core on a fresh SQLite
 * database, or one of `target` (a PostgreSQL one of {@link testDatabaseTargets}), migrated,
 * bcrypt cost 4, before its tests and close it and drop the database after. Returns a holder
 * whose `core` is set once `before` has run.
 *
 * @example
 * describe('my host', () => {
 *   const fixture = useTestCore();
 *   it('mounts', async () => { app.use(createExpressRouter(fixture.core)); });
 * });
 */
export function useTestCore(options: Partial<CoreOptions> = {}, target: Pick<TestDatabaseTarget, 'create'> = testDatabaseTargets()[0]!): { readonly core: Core } {
  const holder = {} as { core: Core };
  let database: TestDatabase | undefined;
  before(async () => {
    database = await target.create();
    holder.core = await createCore({
      environment: 'test',
      database: { url: database.url },
      bcryptRounds: 4,
      migrate: true,
      logger: createConsoleLogger({ level: 'warn' }),
      ...options,
    });
  });
  after(async () => {
    await holder.core?.close();
    await database?.drop();
  });
  return holder;
}
