import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import type { UserListQuery } from '../domain/types';
import { useDatabaseFixture } from '../testing/database-fixture';
import { testDatabaseTargets } from '../testing/test-databases';
import { SequelizeUserRepository } from './sequelize-user-repository';
import { cappedSearch, listCondition, narrowingWord, searchWords, type SearchForm } from './user-list-sql';

const query = (extra: Partial<UserListQuery> = {}): UserListQuery => ({ page: 1, size: 4, sort_by: 'created_at', sort_order: 'desc', ...extra });

describe('cappedSearch', () => {
  it('leaves a term too short for trigrams to the planner, without the indexes', () => {
    expect(cappedSearch('zz', 10, undefined)).to.equal('planned');
    expect(cappedSearch('z', 10, { matches: 1, table: 1_000_000 })).to.equal('planned');
  });

  it('uses the indexes unless the planner expects more than the limit and a twentieth of the table', () => {
    expect(cappedSearch('user 4242', 10_000, { matches: 300, table: 1_000_000 })).to.equal('indexed');
    expect(cappedSearch('seed', 10_000, { matches: 10_000, table: 100_000 })).to.equal('indexed');
    expect(cappedSearch('seed', 10_000, { matches: 40_000, table: 1_000_000 })).to.equal('indexed');
  });

  it('reads a broad search from a bounded sample, or from the whole table when it is within two samples', () => {
    expect(cappedSearch('5@example', 10_000, { matches: 80_000, table: 1_000_000 })).to.equal('sample');
    expect(cappedSearch('5@example', 10_000, { matches: 12_000, table: 100_000 })).to.equal('scan');
  });
});

describe('narrowingWord', () => {
  it('takes the words of three characters or more of a term of several', () => {
    expect(searchWords('user 4242')).to.deep.equal(['user', '4242']);
    expect(searchWords('seed  user  seed')).to.deep.equal(['seed', 'user']);
    expect(searchWords('user 42')).to.deep.equal([]);
    expect(searchWords('4242')).to.deep.equal([]);
  });

  it('looks up the rarest word when another would match more than the limit, else the whole term', () => {
    expect(narrowingWord(['user', '4242'], [999_900, 300], 10_000)).to.equal('4242');
    expect(narrowingWord(['user', '4242'], [9_000, 300], 10_000)).to.equal(undefined);
    expect(narrowingWord(['user', '4242'], undefined, 10_000)).to.equal(undefined);
    expect(narrowingWord([], [], 10_000)).to.equal(undefined);
  });
});

for (const target of testDatabaseTargets()) {
  describe(`SequelizeUserRepository list search forms (${target.name})`, () => {
    const fx = useDatabaseFixture(target);
    const limited = (limit: number) => new SequelizeUserRepository(fx.models, fx.uow, fx.fields, { exactCountLimit: limit });

    before(async () => {
      await fx.users.bulkCreate([
        ...Array.from({ length: 150 }, (_, i) => ({ email: `filler${i}@example.com`, username: `filler${i}`, hashed_password: 'h' })),
        // Inserted last, so a sample of the table's first rows holds none of them.
        ...Array.from({ length: 50 }, (_, i) => ({ email: `late${i}@example.com`, username: `late${i}`, hashed_password: 'h', full_name: `Late Ölaf ${i}` })),
        { email: 'ab@cd.org', username: 'ab', full_name: 'Ef Gh', hashed_password: 'h' },
        { email: 'pct@example.com', username: 'pct', full_name: '100%_done', hashed_password: 'h' },
      ]);
      await fx.sequelize.query('ANALYZE users').catch(() => undefined);
    });

    /** The usernames a list condition in `form` selects, sorted. */
    const matching = async (search: string, form: SearchForm) => {
      const where = listCondition(fx.fields, fx.sequelize, query({ search }), form);
      const rows = await fx.sequelize.query<{ username: string }>(`SELECT username FROM users WHERE ${where}`, { type: QueryTypes.SELECT });
      return rows.map((row) => row.username).sort();
    };

    it('selects the same users in every form, never across two fields', async () => {
      const cases: Array<[string, string[]]> = [
        ['ÖLAF 4', ['late4', ...Array.from({ length: 10 }, (_, i) => `late${40 + i}`)].sort()],
        ['0%_d', ['pct']],
        ['ab', ['ab']],
        // The end of one field and the start of the next: in no single field.
        ['abab', []],
        ['orgef', []],
        ['org\u0001ef', []],
      ];
      for (const [search, expected] of cases) {
        for (const form of ['indexed', 'planned', 'scan'] as const) expect(await matching(search, form), `${search} (${form})`).to.deep.equal(expected);
      }
    });

    it('selects the same users when the indexes look up one word of a term and the whole term is checked after', async () => {
      const narrowed = async (search: string, word: string) => {
        const where = listCondition(fx.fields, fx.sequelize, query({ search }), 'indexed', word);
        const rows = await fx.sequelize.query<{ username: string }>(`SELECT username FROM users WHERE ${where}`, { type: QueryTypes.SELECT });
        return rows.map((row) => row.username).sort();
      };
      for (const [search, word] of [['late ölaf 4', 'ölaf'], ['Late Ölaf 4', 'LATE'], ['ölaf late', 'late'], ['100%_done x', '100%_done']] as const) {
        expect(await narrowed(search, word), `${search} by ${word}`).to.deep.equal(await matching(search, 'indexed'));
      }
      expect(await narrowed('Late Ölaf 41', 'Ölaf')).to.deep.equal(['late41']);
    });

    it('counts a short term exactly within the limit and serves its page past it', async () => {
      const exact = await limited(60).list(query({ search: 'te' }));
      expect(exact).to.deep.include({ total: 50, pages: 13 });
      expect(exact).to.not.have.property('approximate');
      expect(exact.items.map((user) => user.username)).to.deep.equal(['late49', 'late48', 'late47', 'late46']);
      const past = await limited(5).list(query({ search: 'te', page: 2 }));
      expect(past.items.map((user) => user.username)).to.deep.equal(['late45', 'late44', 'late43', 'late42']);
      if (target.name === 'postgres') expect(past).to.deep.include({ approximate: true }).and.to.have.property('total').at.least(6);
      else expect(past).to.deep.include({ total: 50 });
    });

    if (target.name === 'postgres') {
      it('past a broad sample without enough matches, still counts the whole table', async () => {
        const statements: string[] = [];
        fx.sequelize.addHook('afterQuery', 'capture', (_options, sql) => void statements.push((sql as unknown as { sql: string }).sql));
        // "late" matches a quarter of the rows, all after the first 120 (the sample of limit 5).
        const page = await limited(5)
          .list(query({ search: 'LATE' }))
          .finally(() => fx.sequelize.removeHook('afterQuery', 'capture'));
        expect(statements.some((sql) => sql.includes('AS sample')), statements.join('\n')).to.equal(true);
        expect(page.approximate).to.equal(true);
        expect(page.total).to.be.at.least(6);
        expect(page.items.map((user) => user.username)).to.deep.equal(['late49', 'late48', 'late47', 'late46']);
      });

      it('reads a broad search matching early rows from the sample alone', async () => {
        const page = await limited(5).list(query({ search: 'example', sort_by: 'username', sort_order: 'asc' }));
        expect(page.approximate).to.equal(true);
        expect(page.items.map((user) => user.username)).to.deep.equal(['filler0', 'filler1', 'filler10', 'filler100']);
      });

      it('scans a broad search over a table within two samples in the concatenated form', async () => {
        const statements: string[] = [];
        fx.sequelize.addHook('afterQuery', 'capture', (_options, sql) => void statements.push((sql as unknown as { sql: string }).sql));
        // Limit 20: a sample of 420 rows, more than twice the 202 of the table.
        const page = await limited(20)
          .list(query({ search: 'EXAMPLE', sort_by: 'username', sort_order: 'desc' }))
          .finally(() => fx.sequelize.removeHook('afterQuery', 'capture'));
        const count = statements.find((sql) => /^\s*WITH hits/.test(sql));
        expect(count, statements.join('\n')).to.match(/LIKE lower\(/).and.not.match(/ILIKE|AS sample/);
        expect(page.approximate).to.equal(true);
        expect(page.total).to.be.at.least(21);
        expect(page.items.map((user) => user.username)).to.deep.equal(['pct', 'late9', 'late8', 'late7']);
      });
    }
  });
}
