import { expect } from 'chai';
import type { UserListQuery } from '../domain/types';
import { useDatabaseFixture } from '../testing/database-fixture';
import { testDatabaseTargets } from '../testing/test-databases';
import { SequelizeUserRepository } from './sequelize-user-repository';

const query = (extra: Partial<UserListQuery> = {}): UserListQuery => ({ page: 1, size: 4, sort_by: 'created_at', sort_order: 'desc', ...extra });

for (const target of testDatabaseTargets()) {
  describe(`SequelizeUserRepository list totals (${target.name})`, () => {
    const fx = useDatabaseFixture(target);
    /** The same table, counted exactly only up to 5 matches. */
    const limited = (limit: number) => new SequelizeUserRepository(fx.models, fx.uow, fx.fields, { exactCountLimit: limit });

    before(async () => {
      await fx.users.bulkCreate(
        Array.from({ length: 12 }, (_, i) => ({
          email: `t${i}@example.com`,
          username: i < 3 ? `rare${i}` : `common${i}`,
          hashed_password: 'h',
          is_active: i % 4 !== 0,
        })),
      );
    });

    it('counts exactly, with the envelope unchanged, while the matches stay within the limit', async () => {
      const page = await limited(5).list(query({ search: 'rare' }));
      expect(page).to.deep.include({ total: 3, page: 1, size: 4, pages: 1 });
      expect(page).to.not.have.property('approximate');
      const inactive = await limited(5).list(query({ is_active: false }));
      expect(inactive).to.deep.include({ total: 3, pages: 1 });
      expect(inactive.items).to.have.length(3);
      // Exactly at the limit is still exact.
      const five = await limited(3).list(query({ search: 'rare' }));
      expect(five.total).to.equal(3);
      expect(five).to.not.have.property('approximate');
    });

    if (target.name === 'postgres') {
      it('beyond the limit answers the planner estimate, never below limit + 1, flagged approximate', async () => {
        const page = await limited(5).list(query());
        expect(page.approximate).to.equal(true);
        expect(page.total).to.be.at.least(6);
        expect(page.pages).to.equal(Math.ceil(page.total / 4));
        expect(page.items.map((u) => u.username)).to.have.length(4);
        const filtered = await limited(5).list(query({ search: 'common' }));
        expect(filtered.approximate).to.equal(true);
        expect(filtered.total).to.be.at.least(6);
      });

      it('still serves every row when the estimate falls short of the truth', async () => {
        // Analysed, the planner guesses few matches for a substring: total then sits at
        // limit + 1 = 6, yet 9 users match and page 3 (rows 9..12) still holds the 9th.
        await fx.sequelize.query('ANALYZE users');
        const last = await limited(5).list(query({ search: 'common', page: 3 }));
        expect(last.items.map((u) => u.username)).to.have.length(1);
        expect((await limited(5).list(query({ search: 'common', page: 4 }))).items).to.deep.equal([]);
      });
    } else {
      it('beyond the limit still counts exactly: SQLite has no estimate', async () => {
        const page = await limited(5).list(query());
        expect(page).to.deep.include({ total: 12, pages: 3 });
        expect(page).to.not.have.property('approximate');
      });
    }

    it('counts exactly at any size with limit 0', async () => {
      const page = await limited(0).list(query());
      expect(page).to.deep.include({ total: 12, pages: 3 });
      expect(page).to.not.have.property('approximate');
    });
  });
}
