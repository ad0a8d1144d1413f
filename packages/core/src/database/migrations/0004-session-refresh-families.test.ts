import { expect } from 'chai';
import { useDatabaseFixture } from '../../testing/database-fixture';
import { testDatabaseTargets } from '../../testing/test-databases';

for (const target of testDatabaseTargets()) {
  describe(`migration 0004-session-refresh-families (${target.name})`, () => {
    const fx = useDatabaseFixture(target);

    it('ends the sessions opened before it explicitly and gives them an absolute expiry', async () => {
      const reverted = await fx.migrator.down({ to: '0004-session-refresh-families' });
      expect(reverted.at(-1)).to.equal('0004-session-refresh-families');
      // Rows as the schema before 0004 held them (raw SQL: today's models know later columns).
      const now = new Date();
      await fx.sequelize.query(
        'INSERT INTO users (email, username, hashed_password, is_active, is_superuser, created_at, updated_at) VALUES (:email, :name, :hash, :yes, :no, :now, :now)',
        { replacements: { email: 'old@example.com', name: 'old', hash: 'h', yes: true, no: false, now } },
      );
      const [[{ id: userId }]] = (await fx.sequelize.query("SELECT id FROM users WHERE username = 'old'")) as unknown as [[{ id: number }]];
      const expires = new Date(Date.now() + 30 * 60_000);
      await fx.sequelize.query(
        'INSERT INTO sessions (user_id, jti, is_active, expires_at, created_at) VALUES (:user, :jti, :yes, :expires, :now)',
        { replacements: { user: userId, jti: 'pre-refresh', yes: true, expires, now } },
      );
      expect(await fx.migrator.up()).to.deep.equal([...reverted].reverse());
      const [old] = (await fx.models.SessionModel.findAll({ raw: true })) as unknown as Array<Record<string, unknown>>;
      expect(Boolean(old!.is_active), 'its token has no typ or sid: ended, not left looking alive').to.equal(false);
      expect(new Date(old!.absolute_expires_at as string).getTime()).to.equal(expires.getTime());
      expect(old!.refresh_token_hash).to.equal(null);
      expect(Number(old!.refresh_generation)).to.equal(0);
    });
  });
}
