import { expect } from 'chai';
import type { UserListQuery } from '../domain/types';
import { createUserFields } from '../domain/user-fields';
import { useDatabaseFixture } from '../testing/database-fixture';
import { testDatabaseTargets } from '../testing/test-databases';

const fields = createUserFields({ nickname: { type: 'string', maxLength: 20, nullable: true, sortable: true, setBy: ['admin'] } });
const query = (extra: Partial<UserListQuery>): UserListQuery => ({ page: 1, size: 10, sort_by: 'created_at', sort_order: 'desc', ...extra });

for (const target of testDatabaseTargets()) {
  describe(`SequelizeUserRepository list order of empty values (${target.name})`, () => {
    const fx = useDatabaseFixture(target, { fields });

    before(async () => {
      await fx.sequelize.query('ALTER TABLE users ADD COLUMN nickname VARCHAR(20)');
      const nicknames = ['bea', null, 'al', null, 'cy'];
      await fx.users.bulkCreate(
        nicknames.map((nickname, i) => ({ email: `o${i}@example.com`, username: `order${i}`, hashed_password: 'h', nickname })),
      );
    });

    /** The nicknames of one page in list order, for a page of `size` from `page`. */
    const nicknames = async (sortOrder: 'asc' | 'desc', page = 1, size = 10) =>
      (await fx.users.list(query({ sort_by: 'nickname', sort_order: sortOrder, page, size }))).items.map((user) => (user as unknown as { nickname: string | null }).nickname);

    it('puts empty values last ascending and first descending, the same on every database', async () => {
      expect(await nicknames('asc')).to.deep.equal(['al', 'bea', 'cy', null, null]);
      expect(await nicknames('desc')).to.deep.equal([null, null, 'cy', 'bea', 'al']);
    });

    it('pages through empty values without repeating or skipping a row', async () => {
      const pages = [...(await nicknames('asc', 1, 2)), ...(await nicknames('asc', 2, 2)), ...(await nicknames('asc', 3, 2))];
      expect(pages).to.deep.equal(['al', 'bea', 'cy', null, null]);
    });
  });
}
