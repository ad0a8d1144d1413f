import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import type { Core } from '../core';
import { createCore } from '../create-core';
import { silentLogger } from '../logger/logger';
import { openDatabaseFixture } from '../testing/database-fixture';
import { testDatabaseTargets, type TestDatabase } from '../testing/test-databases';

for (const target of testDatabaseTargets()) {
  describe(`login upgrades old hashes (${target.name})`, function () {
    this.timeout(30_000);
    let database: TestDatabase;
    let core: Core;

    before(async () => {
      database = await target.create();
      core = await createCore({ environment: 'test', database: { url: database.url }, bcryptRounds: 5, migrate: true, logger: silentLogger });
    });
    after(async () => {
      await core?.close();
      await database?.drop();
    });

    const storedHash = async (username: string): Promise<string> => {
      const fixture = await openDatabaseFixture(database.url, { migrate: false, logger: silentLogger });
      try {
        const rows = await fixture.sequelize.query<{ hashed_password: string }>('SELECT hashed_password FROM users WHERE username = :username', {
          type: QueryTypes.SELECT,
          replacements: { username },
        });
        return rows[0]!.hashed_password;
      } finally {
        await fixture.close();
      }
    };

    it('an imported $2y$ hash at another cost logs in with its old password and is stored anew as $2b$ at BCRYPT_ROUNDS', async () => {
      const old = bcrypt.hashSync('an old passphrase 1', 4).replace(/^\$2b\$/, '$2y$');
      const summary = await core.services.users.importUsers([{ email: 'y@example.com', username: 'from_y', password_hash: old }]);
      expect(summary.failed).to.deep.equal([]);
      expect(await storedHash('from_y')).to.equal(old);
      await core.services.auth.login({ username: 'from_y', password: 'an old passphrase 1' });
      const upgraded = await storedHash('from_y');
      expect(upgraded).to.match(/^\$2b\$05\$/);
      expect(bcrypt.compareSync('an old passphrase 1', upgraded)).to.equal(true);
      // The upgraded hash works, and is not replaced again.
      await core.services.auth.login({ username: 'from_y', password: 'an old passphrase 1' });
      expect(await storedHash('from_y')).to.equal(upgraded);
    });

    it('an imported Argon2id hash logs in with its old password, then is stored as the configured bcrypt', async () => {
      const old = await argon2Hash('an argon passphrase 2', { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
      expect(old).to.match(/^\$argon2id\$/);
      await core.services.users.importUsers([{ email: 'a2@example.com', username: 'from_argon', password_hash: old }]);
      const { user } = await core.services.auth.login({ email: 'a2@example.com', password: 'an argon passphrase 2' });
      expect(user.username).to.equal('from_argon');
      expect(await storedHash('from_argon')).to.match(/^\$2b\$05\$/);
    });

    it('a wrong password neither logs in nor touches the stored hash', async () => {
      const old = bcrypt.hashSync('the right one 3', 4);
      await core.services.users.importUsers([{ email: 'w@example.com', username: 'wrong_try', password_hash: old }]);
      const error = await core.services.auth.login({ username: 'wrong_try', password: 'not the right one' }).catch((caught: unknown) => caught);
      expect((error as { code?: string }).code).to.equal('authentication_error');
      expect(await storedHash('wrong_try')).to.equal(old);
    });
  });
}
