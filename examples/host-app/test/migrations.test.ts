import { expect } from 'chai';
import { createCore, type Core, silentLogger } from '@app/core';
import { testDatabaseTargets, type TestDatabase } from '@app/core/testing';
import { migrations } from '../src/migrations';


for (const target of testDatabaseTargets()) {
  describe(`the host app's migration (${target.name})`, function () {
    this.timeout(60_000);
    let db: TestDatabase;
    let core: Core | undefined;
    before(async () => {
      db = await target.create();
      const database = { url: db.url, tablePrefix: 'auth_', ...(target.name === 'postgres' ? { schema: 'identity' } : {}) };
      core = await createCore({ environment: 'test', bcryptRounds: 4, database, migrations, logger: silentLogger });
    });
    after(async () => {
      await core?.close();
      await db?.drop();
    });

    it('runs after the core migrations and reverts cleanly, indexed column included', async () => {
      const applied = await core!.migrator.up();
      expect(applied.at(-1)).to.equal('host-0001-add-tenant-id');
      expect(applied.slice(0, -1)).to.have.length.greaterThan(2);
      expect(await core!.migrator.down()).to.deep.equal(['host-0001-add-tenant-id']);
      expect(await core!.migrator.up()).to.deep.equal(['host-0001-add-tenant-id']);
    });
  });
}
