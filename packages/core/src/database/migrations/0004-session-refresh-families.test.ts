import { expect } from 'chai';
import { useDatabaseFixture } from '../../testing/database-fixture';
import { testDatabaseTargets } from '../../testing/test-databases';

for (const target of testDatabaseTargets()) {
  describe(`migration 0004-session-refresh-families (${target.name})`, () => {
    const fx = useDatabaseFixture(target);

    it('ends the sessions opened before it explicitly and gives them an absolute expiry', async () => {
      expect(await fx.migrator.down()).to.deep.equal(['0004-session-refresh-families']);
      const user = await fx.users.create({ email: 'old@example.com', username: 'old', hashed_password: 'h' });
      const expires = new Date(Date.now() + 30 * 60_000);
      await fx.sequelize.query(
        'INSERT INTO sessions (user_id, jti, is_active, expires_at, created_at) VALUES (:user, :jti, :yes, :expires, :now)',
        { replacements: { user: user.id, jti: 'pre-refresh', yes: true, expires, now: new Date() } },
      );
      expect(await fx.migrator.up()).to.deep.equal(['0004-session-refresh-families']);
      const [old] = (await fx.models.SessionModel.findAll({ raw: true })) as unknown as Array<Record<string, unknown>>;
      expect(Boolean(old!.is_active), 'its token has no typ or sid: ended, not left looking alive').to.equal(false);
      expect(new Date(old!.absolute_expires_at as string).getTime()).to.equal(expires.getTime());
      expect(old!.refresh_token_hash).to.equal(null);
      expect(Number(old!.refresh_generation)).to.equal(0);
    });
  });
}
