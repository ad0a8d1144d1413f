import { expect } from 'chai';
import { openDatabaseFixture, type DatabaseFixture } from '../testing/database-fixture';

describe('createModels', () => {
  let first: DatabaseFixture;
  let second: DatabaseFixture;

  before(async () => {
    first = await openDatabaseFixture('sqlite::memory:');
    second = await openDatabaseFixture('sqlite::memory:');
  });
  after(async () => {
    await first?.close();
    await second?.close();
  });

  it('gives each Sequelize instance its own model classes', () => {
    expect(first.models.UserModel).to.not.equal(second.models.UserModel);
    expect(first.models.UserModel.sequelize).to.equal(first.sequelize);
    expect(second.models.SessionModel.sequelize).to.equal(second.sequelize);
  });

  it('keeps two cores in one process from seeing each other\'s rows or transactions', async () => {
    await first.uow.run(async () => {
      await first.users.create({ email: 'one@example.com', username: 'one', hashed_password: 'h' });
      // The other core has no transaction open, and its own database is still empty.
      expect(second.uow.queryOptions().transaction).to.equal(undefined);
      expect(await second.users.count()).to.equal(0);
    });
    await second.users.create({ email: 'one@example.com', username: 'one', hashed_password: 'h' });
    expect(await first.users.count()).to.equal(1);
    expect(await second.users.count()).to.equal(1);
  });

  it('keeps working in one core after the other is closed', async () => {
    const third = await openDatabaseFixture('sqlite::memory:');
    await third.close();
    expect(await first.users.count()).to.equal(1);
  });
});
