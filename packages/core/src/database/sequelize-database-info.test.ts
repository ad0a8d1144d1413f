import { silentLogger } from '../logger/logger';
import { expect } from 'chai';
import { isAppError } from '../errors/app-error';
import { openDatabaseFixture, useDatabaseFixture } from '../testing/database-fixture';
import { testDatabaseTargets } from '../testing/test-databases';
import { createSequelize } from './connection';
import { SequelizeDatabaseInfo } from './sequelize-database-info';

const tick = () => new Promise((resolve) => setTimeout(resolve, 30));

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

        // Two transactions hold two connections; a third caller has to wait for one.
        const releases: Array<() => void> = [];
        const hold = () =>
          fx.uow.run(async () => {
            await fx.users.count();
            await new Promise<void>((resolve) => releases.push(resolve));
          });
        const held = [hold(), hold(), hold()];
        await tick();
        const busy = fx.info.poolMetrics();
        if (target.name === 'postgres') {
          expect(busy).to.include({ pool_size: 2, checked_out: 2, checked_in: 0, waiting: 1, total_connections: 2 });
        } else {
          // SQLite has one writer: one transaction holds its connection, the others queue.
          expect(busy).to.include({ checked_out: 1, waiting: 2 });
          expect(busy.total_connections).to.equal(busy.checked_in + 1);
        }
        while (releases.length < 3) {
          releases.forEach((release) => release());
          await tick();
        }
        releases.forEach((release) => release());
        await Promise.all(held);
        const after = fx.info.poolMetrics();
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

