import { expect } from 'chai';
import { createMemoryLogger, type LoggedLine, type MemoryLogger } from '../testing/memory-logger';
import { waitFor } from '../testing/wait-for';
import { openDatabaseFixture, type DatabaseFixture } from '../testing/database-fixture';
import { silentLogger } from '../logger/logger';
import { testDatabaseTargets, type TestDatabase } from '../testing/test-databases';
import { createMigrator } from './migrator';
import type { Migration } from './migrations/migration';
import { MIGRATIONS } from './migrations/migration-list';

const CORE = MIGRATIONS.map((migration) => migration.name);

/** A promise with its resolve function, to hold a migration open until the test says so. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

function recordingLogger(): MemoryLogger & { readonly lines: LoggedLine[] } {
  return createMemoryLogger();
}

for (const target of testDatabaseTargets()) {
  describe(`migration lock (${target.name})`, () => {
    let db: TestDatabase;
    let first: DatabaseFixture;
    let second: DatabaseFixture;

    beforeEach(async () => {
      db = await target.create();
      // Two instances on one database: separate pools, as two processes would have.
      first = await openDatabaseFixture(db.url, { migrate: false });
      second = await openDatabaseFixture(db.url, { migrate: false });
    });

    afterEach(async () => {
      await first?.close();
      await second?.close();
      await db?.drop();
    });

    it('lets two concurrent runs apply each migration exactly once, and both succeed', async () => {
      const inside = gate();
      const release = gate();
      let holds = 0;
      // The last migration of the first run waits, so the second run starts while the first holds the lock.
      const hold: Migration = {
        name: 'host-0001-hold',
        up: async () => {
          holds += 1;
          inside.open();
          await release.opened;
        },
        down: async () => undefined,
      };
      const waiting = recordingLogger();
      const a = createMigrator(first.sequelize, silentLogger, { hostMigrations: [hold] });
      const b = createMigrator(second.sequelize, waiting, { hostMigrations: [hold] });

      const firstRun = a.up();
      let secondRun: Promise<string[]> = Promise.resolve([]);
      try {
        await inside.opened;
        secondRun = b.up();
        await waitFor(() => waiting.lines.some((line) => /waiting/.test(line.message)), { message: 'the second run to wait for the lock', timeoutMs: 20_000 });
      } finally {
        release.open();
      }
      const [appliedByFirst, appliedBySecond] = await Promise.all([firstRun, secondRun]);
      expect(appliedByFirst).to.deep.equal([...CORE, 'host-0001-hold']);
      expect(appliedBySecond).to.deep.equal([]);
      expect(holds).to.equal(1);
      expect(await b.status()).to.deep.equal({ executed: [...CORE, 'host-0001-hold'], pending: [] });
    });

    it('serialises many runs started at the same moment', async () => {
      const migrators = [first, second, first, second].map((fx) => createMigrator(fx.sequelize, silentLogger));
      const results = await Promise.all(migrators.map((migrator) => migrator.up()));
      expect(results.flat().sort()).to.deep.equal([...CORE].sort());
    });

    if (target.name === 'sqlite') {
      it('takes over a lease whose holder died without releasing it', async () => {
        const migrator = createMigrator(first.sequelize, silentLogger);
        await migrator.status(); // creates the lease table
        await first.sequelize.query(
          `INSERT INTO "schema_migrations_lock" (id, owner, expires_at) VALUES (1, 'crashed:1:dead', ${Date.now() - 1})`,
        );
        expect(await migrator.up()).to.deep.equal(CORE);
        const [rows] = await first.sequelize.query('SELECT COUNT(*) AS n FROM "schema_migrations_lock"');
        expect(Number((rows as Array<{ n: number }>)[0]!.n)).to.equal(0);
      });
    }
  });
}
