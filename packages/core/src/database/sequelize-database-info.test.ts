import { silentLogger } from '../logger/logger';
import { expect } from 'chai';
import { isAppError } from '../errors/app-error';
import { openDatabaseFixture, useDatabaseFixture } from '../testing/database-fixture';
import { testDatabaseTargets } from '../testing/test-databases';
import { waitFor } from '../testing/wait-for';
import { createSequelize } from './connection';
import { SequelizeDatabaseInfo } from './sequelize-database-info';


for (const target of testDatabaseTargets()) {
  describe(`SequelizeDatabaseInfo (${target.name})`, () => {
    const fx = useDatabaseFixture(target, { poolMax: 2 });


    describe('ping', () => {
      it('resolves while the database answers', async () => {
        await fx.info.ping();
        expect(fx.info.provider).to.equal(target.name);
      });
    });

    describe('poolMetrics', () => {
      it('counts connections held by open transactions, idle ones and queued callers', async () => {
        await fx.info.ping();
        const idle = fx.info.poolMetrics();
        expect(idle).to.include({ pool_size: 2, checked_out: 0, waiting: 0, overflow: 0 });
        expect(idle.total_connections).to.equal(idle.checked_in + idle.checked_out);

        // Two transactions hold two connections; a third caller has to wait for one. Once
        // `release` has run, every holder (even one that reaches its body later) goes on, so
        // a failed expectation cannot leave a transaction open to hang the `after all` hook.
        const releases: Array<() => void> = [];
        let released = false;
        const release = () => {
          released = true;
          releases.splice(0).forEach((resolve) => resolve());
        };
        const hold = () =>
          fx.uow.run(async () => {
            await fx.users.count();
            if (!released) await new Promise<void>((resolve) => releases.push(resolve));
          });
        const held = [hold(), hold(), hold()];
        try {
          // SQLite has one writer: one transaction holds its connection, the others queue.
          const expected = target.name === 'postgres' ? { checked_out: 2, waiting: 1 } : { checked_out: 1, waiting: 2 };
          let busy = fx.info.poolMetrics();
          await waitFor(
            () => {
              busy = fx.info.poolMetrics();
              return busy.checked_out === expected.checked_out && busy.waiting === expected.waiting;
            },
            { message: `the pool reaches ${JSON.stringify(expected)}` },
          ).catch(() => undefined); // the expectation below names what was seen instead
          if (target.name === 'postgres') {
            expect(busy).to.include({ pool_size: 2, checked_out: 2, checked_in: 0, waiting: 1, total_connections: 2 });
          } else {
            expect(busy).to.include(expected);
            expect(busy.total_connections).to.equal(busy.checked_in + 1);
          }
        } finally {
          release();
          await Promise.all(held);
        }
        let after = fx.info.poolMetrics();
        await waitFor(
          () => {
            after = fx.info.poolMetrics();
            return after.checked_out === 0 && after.waiting === 0;
          },
          { message: 'every connection is back in the pool' },
        ).catch(() => undefined);
        expect(after).to.include({ checked_out: 0, waiting: 0 });
        expect(after.checked_in).to.be.at.least(target.name === 'postgres' ? 1 : 0);
        expect(after.total_connections).to.equal(after.checked_in);
      });
    });
  });
}

describe('SequelizeDatabaseInfo (sqlite::memory:)', () => {
  it('reports the single shared connection as checked out during a transaction', async () => {
    const fx = await openDatabaseFixture('sqlite::memory:', { poolMax: 3 });
    try {
      let during: ReturnType<typeof fx.info.poolMetrics> | undefined;
      await fx.uow.run(async () => {
        await fx.users.count();
        during = fx.info.poolMetrics();
      });
      expect(during).to.deep.equal({ pool_size: 3, checked_in: 0, checked_out: 1, waiting: 0, overflow: 0, total_connections: 1 });
      expect(fx.info.poolMetrics()).to.deep.equal({ pool_size: 3, checked_in: 1, checked_out: 0, waiting: 0, overflow: 0, total_connections: 1 });
    } finally {
      await fx.close();
    }
  });
});

describe('SequelizeDatabaseInfo (unreachable PostgreSQL)', () => {
  it('rejects ping with service_unavailable and no driver text', async () => {
    const { sequelize } = createSequelize(
      { url: 'postgres://nobody@127.0.0.1:1/nothing', poolMax: 1, poolMin: 0, logging: false },
      silentLogger,
    );
    const info = new SequelizeDatabaseInfo(sequelize, 'postgres', 1);
    try {
      const error = await info.ping().then(
        () => expect.fail('ping should fail'),
        (e: unknown) => e,
      );
      expect(isAppError(error) && error.code).to.equal('service_unavailable');
      expect((error as Error).message).to.equal('Service temporarily unavailable');
      expect(info.poolMetrics()).to.include({ pool_size: 1, checked_out: 0 });
    } finally {
      await sequelize.close();
    }
  });
});

