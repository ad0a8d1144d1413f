import { expect } from 'chai';
import { useDatabaseFixture } from '../testing/database-fixture';
import { testDatabaseTargets } from '../testing/test-databases';

for (const target of testDatabaseTargets()) {
  describe(`SequelizeUserRepository.signupsPerDay (${target.name})`, () => {
    const fx = useDatabaseFixture(target);
    let n = 0;

    /** A user whose created_at is `at`: a Date (stored as Sequelize stores it) or raw SQL text. */
    async function createdAt(at: Date | string): Promise<void> {
      n += 1;
      const user = await fx.users.create({ email: `s${n}@example.com`, username: `s${n}`, hashed_password: 'h' });
      await fx.sequelize.query('UPDATE users SET created_at = :at WHERE id = :id', { replacements: { at, id: user.id } });
    }

    before(async () => {
      await fx.truncate();
      await createdAt(new Date('2026-01-13T12:00:00.000Z')); // before the range
      await createdAt(new Date('2026-01-14T23:59:59.999Z'));
      await createdAt(new Date('2026-01-15T00:00:00.000Z'));
      await createdAt(new Date('2026-01-15T18:00:00.000Z'));
      // Written with another offset: 01:30 at +02:00 is 23:30 UTC on the 15th.
      await createdAt('2026-01-16 01:30:00.000 +02:00');
      await createdAt(new Date('2026-01-16T00:30:00.000Z'));
      await createdAt(new Date('2026-01-17T00:00:00.000Z')); // the range's end is exclusive
    });

    it('counts per UTC day in [start, end), ascending, whatever offset a row was written with', async () => {
      const days = await fx.users.signupsPerDay({ start: new Date('2026-01-14T00:00:00.000Z'), end: new Date('2026-01-17T00:00:00.000Z') });
      expect(days).to.deep.equal([
        { date: '2026-01-14', count: 1 },
        { date: '2026-01-15', count: 3 },
        { date: '2026-01-16', count: 1 },
      ]);
    });

    it('is one statement, and leaves out days without a signup', async () => {
      const statements: string[] = [];
      fx.sequelize.addHook('beforeQuery', 'count-signups', () => void statements.push('q'));
      const days = await fx.users
        .signupsPerDay({ start: new Date('2026-01-10T00:00:00.000Z'), end: new Date('2026-01-14T00:00:00.000Z') })
        .finally(() => fx.sequelize.removeHook('beforeQuery', 'count-signups'));
      expect(statements).to.have.length(1);
      expect(days).to.deep.equal([{ date: '2026-01-13', count: 1 }]);
    });
  });
}
