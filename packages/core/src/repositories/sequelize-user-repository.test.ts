import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import type { NewUser, UserListQuery } from '../domain/types';
import { isAppError } from '../errors/app-error';
import { useDatabaseFixture } from '../testing/database-fixture';
import { testDatabaseTargets } from '../testing/test-databases';

const newUser = (name: string, extra: Partial<NewUser> = {}): NewUser => ({
  email: `${name.toLowerCase()}@example.com`,
  username: name,
  hashed_password: `hash-of-${name}`,
  ...extra,
});

const query = (extra: Partial<UserListQuery> = {}): UserListQuery => ({
  page: 1,
  size: 50,
  sort_by: 'created_at',
  sort_order: 'desc',
  ...extra,
});

async function expectAppError(promise: Promise<unknown>, code: string, message?: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(isAppError(error), String(error)).to.equal(true);
    expect((error as { code: string }).code).to.equal(code);
    if (message) expect((error as Error).message).to.equal(message);
    return;
  }
  expect.fail(`expected an AppError ${code}`);
}

for (const target of testDatabaseTargets()) {
  describe(`SequelizeUserRepository (${target.name})`, () => {
    const fx = useDatabaseFixture(target);

    beforeEach(() => fx.truncate());

    /** Moves a user's created_at, as if it had registered at `when`. */
    const setCreatedAt = (id: number, when: Date) =>
      fx.sequelize.query('UPDATE users SET created_at = :when WHERE id = :id', {
        replacements: { when, id },
        type: QueryTypes.UPDATE,
      });

    describe('create', () => {
      it('returns a plain user with defaults, UTC Dates and no hash', async () => {
        const before = Date.now();
        const user = await fx.users.create(newUser('Alice', { full_name: 'Alice A' }));
        expect(Object.getPrototypeOf(user)).to.equal(Object.prototype);
        expect(user).to.include({ email: 'alice@example.com', username: 'Alice', full_name: 'Alice A', is_active: true, is_superuser: false });
        expect(user).to.not.have.property('hashed_password');
        expect(user.created_at).to.be.instanceOf(Date);
        expect(user.created_at.getTime()).to.be.within(before - 1000, Date.now() + 1000);
        const again = await fx.users.getById(user.id);
        expect(again).to.deep.equal(user);
      });

      it('rejects a duplicate email with 409 "Email already registered"', async () => {
        await fx.users.create(newUser('alice'));
        await expectAppError(fx.users.create(newUser('alice2', { email: 'ALICE@example.com' })), 'conflict_error', 'Email already registered');
      });

      it('rejects a username differing only in case with 409 "Username already taken" (database index)', async () => {
        await fx.users.create(newUser('Bob'));
        await expectAppError(fx.users.create(newUser('bob', { email: 'other@example.com' })), 'conflict_error', 'Username already taken');
        await expectAppError(fx.users.create(newUser('Bob', { email: 'third@example.com' })), 'conflict_error', 'Username already taken');
      });

      it('names the username even when the duplicate value contains "email"', async () => {
        await fx.users.create(newUser('my_email'));
        await expectAppError(fx.users.create(newUser('MY_EMAIL', { email: 'x@example.com' })), 'conflict_error', 'Username already taken');
      });
    });

    describe('lookups', () => {
      it('finds by email case-insensitively, with the hash', async () => {
        const user = await fx.users.create(newUser('carol'));
        const found = await fx.users.getByEmail('  CAROL@Example.COM ');
        expect(found?.id).to.equal(user.id);
        expect(found?.hashed_password).to.equal('hash-of-carol');
        expect(await fx.users.getByEmail('nobody@example.com')).to.equal(null);
      });

      it('matches usernames exactly, or case-insensitively on request', async () => {
        const user = await fx.users.create(newUser('Dave'));
        expect(await fx.users.getByUsername('dave')).to.equal(null);
        expect((await fx.users.getByUsername('Dave'))?.id).to.equal(user.id);
        expect((await fx.users.getByUsernameInsensitive('DAVE'))?.id).to.equal(user.id);
        expect((await fx.users.getRecordById(user.id))?.hashed_password).to.equal('hash-of-Dave');
        expect(await fx.users.getById(user.id + 1000)).to.equal(null);
      });

      it('reads a row under a shared lock inside a unit of work when asked (FOR SHARE on PostgreSQL)', async () => {
        const user = await fx.users.create(newUser('Lena'));
        const statements: string[] = [];
        fx.sequelize.addHook('afterQuery', 'capture-lock', (_options, query) => void statements.push((query as unknown as { sql: string }).sql));
        try {
          const record = await fx.uow.run(() => fx.users.getRecordById(user.id, { lock: true }));
          expect(record?.hashed_password).to.equal('hash-of-Lena');
        } finally {
          fx.sequelize.removeHook('afterQuery', 'capture-lock');
        }
        const select = statements.find((sql) => /FROM "?users"?/i.test(sql)) ?? '';
        if (fx.provider === 'postgres') expect(select).to.match(/FOR SHARE/);
        else expect(select).to.not.match(/FOR SHARE/);
      });

      it('finds conflicts by email or username regardless of case', async () => {
        const erin = await fx.users.create(newUser('Erin'));
        const frank = await fx.users.create(newUser('Frank'));
        await fx.users.create(newUser('Grace'));
        const found = await fx.users.findConflicts(['ERIN@example.com'], ['FRANK', 'nobody']);
        expect(found.map((u) => u.id)).to.deep.equal([erin.id, frank.id]);
        expect(await fx.users.findConflicts([], [])).to.deep.equal([]);
      });

      it('counts users', async () => {
        expect(await fx.users.count()).to.equal(0);
        await fx.users.create(newUser('root', { is_superuser: true }));
        await fx.users.create(newUser('user'));
        expect(await fx.users.count()).to.equal(2);
      });
    });

    describe('bulkCreate', () => {
      it('inserts every row and returns them in input order with their ids', async () => {
        const names = ['zed', 'amy', 'Mike', 'bea'];
        const created = await fx.users.bulkCreate(names.map((name) => newUser(name)));
        expect(created.map((u) => u.username)).to.deep.equal(names);
        for (const user of created) {
          expect(await fx.users.getById(user.id)).to.deep.equal(user);
        }
      });

      it('inserts nothing when one row is a duplicate', async () => {
        await fx.users.create(newUser('taken'));
        await expectAppError(fx.users.bulkCreate([newUser('fresh'), newUser('TAKEN', { email: 'new@example.com' })]), 'conflict_error', 'Username already taken');
        expect(await fx.users.count()).to.equal(1);
      });
    });

    describe('update', () => {
      it('changes only the given fields, clears full name with null and bumps updated_at', async () => {
        const user = await fx.users.create(newUser('henry', { full_name: 'Henry' }));
        await new Promise((resolve) => setTimeout(resolve, 5));
        const updated = await fx.users.update(user.id, { full_name: null, is_active: false, email: 'Henry2@Example.com' });
        expect(updated).to.include({ username: 'henry', full_name: null, is_active: false, email: 'henry2@example.com' });
        expect(updated!.updated_at.getTime()).to.be.greaterThan(user.updated_at.getTime());
        expect(await fx.users.update(user.id, {})).to.deep.equal(updated);
      });

      it('returns null for an unknown id and 409 for a taken username', async () => {
        expect(await fx.users.update(999_999, { full_name: 'x' })).to.equal(null);
        await fx.users.create(newUser('ivy'));
        const jack = await fx.users.create(newUser('jack'));
        await expectAppError(fx.users.update(jack.id, { username: 'IVY' }), 'conflict_error', 'Username already taken');
      });
    });

    describe('delete', () => {
      it('deletes the user and its sessions by cascade', async () => {
        const user = await fx.users.create(newUser('kate'));
        await fx.sessions.create({ user_id: user.id, jti: 'jti-kate', expires_at: new Date(Date.now() + 60_000), absolute_expires_at: new Date(Date.now() + 60_000), refresh_token_hash: 'h' });
        expect(await fx.users.delete(user.id)).to.equal(true);
        expect(await fx.users.delete(user.id)).to.equal(false);
        expect(await fx.models.SessionModel.count()).to.equal(0);
      });
    });

    describe('list', () => {
      it('filters by flags and counts the filtered total', async () => {
        await fx.users.create(newUser('a1'));
        await fx.users.create(newUser('a2', { is_active: false }));
        await fx.users.create(newUser('a3', { is_superuser: true }));
        const inactive = await fx.users.list(query({ is_active: false }));
        expect(inactive.items.map((u) => u.username)).to.deep.equal(['a2']);
        expect(inactive.total).to.equal(1);
        const supers = await fx.users.list(query({ is_superuser: true, is_active: true }));
        expect(supers.items.map((u) => u.username)).to.deep.equal(['a3']);
      });

      it('searches username, email and full name case-insensitively', async () => {
        await fx.users.create(newUser('ann', { full_name: 'Ann SMITH' }));
        await fx.users.create(newUser('bert', { email: 'bert@smithery.org' }));
        await fx.users.create(newUser('smithy'));
        await fx.users.create(newUser('carl'));
        const page = await fx.users.list(query({ search: 'SmItH', sort_by: 'username', sort_order: 'asc' }));
        expect(page.items.map((u) => u.username)).to.deep.equal(['ann', 'bert', 'smithy']);
        expect(page.total).to.equal(3);
      });

      it('treats %, _ and backslash in the search as literal characters', async () => {
        await fx.users.create(newUser('under_score'));
        await fx.users.create(newUser('underXscore'));
        await fx.users.create(newUser('pct', { full_name: '100% sure' }));
        await fx.users.create(newUser('pct2', { full_name: '1000 sure' }));
        await fx.users.create(newUser('slash', { full_name: 'back\\slash' }));
        const names = async (search: string) => (await fx.users.list(query({ search }))).items.map((u) => u.username);
        expect(await names('r_s')).to.deep.equal(['under_score']);
        expect(await names('0%')).to.deep.equal(['pct']);
        expect(await names('%')).to.deep.equal(['pct']);
        expect(await names('k\\s')).to.deep.equal(['slash']);
        expect(await names("o'brien")).to.deep.equal([]);
      });

      it('sorts by each column with id breaking ties, stable across pages', async () => {
        const created = await fx.users.bulkCreate(['u1', 'u2', 'u3', 'u4', 'u5'].map((name) => newUser(name)));
        const same = new Date('2026-01-15T10:30:00.000Z');
        for (const user of created) await setCreatedAt(user.id, same);
        const ids = created.map((u) => u.id);
        const pageIds = async (page: number, sort_order: 'asc' | 'desc') =>
          (await fx.users.list(query({ page, size: 2, sort_order }))).items.map((u) => u.id);
        const desc = [...(await pageIds(1, 'desc')), ...(await pageIds(2, 'desc')), ...(await pageIds(3, 'desc'))];
        expect(desc).to.deep.equal([...ids].reverse());
        const asc = [...(await pageIds(1, 'asc')), ...(await pageIds(2, 'asc')), ...(await pageIds(3, 'asc'))];
        expect(asc).to.deep.equal(ids);
        const byEmail = await fx.users.list(query({ sort_by: 'email', sort_order: 'desc' }));
        expect(byEmail.items.map((u) => u.username)).to.deep.equal(['u5', 'u4', 'u3', 'u2', 'u1']);
        await setCreatedAt(ids[0], new Date('2026-02-01T00:00:00.000Z'));
        const byCreated = await fx.users.list(query({ size: 1 }));
        expect(byCreated.items[0].id).to.equal(ids[0]);
        expect(byCreated.items[0].created_at.toISOString()).to.equal('2026-02-01T00:00:00.000Z');
      });

      it('reports pages and returns an empty page past the end', async () => {
        await fx.users.bulkCreate(['p1', 'p2', 'p3'].map((name) => newUser(name)));
        const last = await fx.users.list(query({ page: 2, size: 2 }));
        expect(last).to.include({ total: 3, page: 2, size: 2, pages: 2 });
        expect(last.items).to.have.length(1);
        const beyond = await fx.users.list(query({ page: 9, size: 2 }));
        expect(beyond).to.deep.equal({ items: [], total: 3, page: 9, size: 2, pages: 2 });
        await fx.truncate();
        expect(await fx.users.list(query())).to.deep.equal({ items: [], total: 0, page: 1, size: 50, pages: 0 });
      });
    });

    describe('listAfterId', () => {
      it('returns keyset batches ordered by id', async () => {
        const created = await fx.users.bulkCreate(['k1', 'k2', 'k3', 'k4', 'k5'].map((name) => newUser(name)));
        const first = await fx.users.listAfterId(0, 2);
        const second = await fx.users.listAfterId(first[1].id, 2);
        const third = await fx.users.listAfterId(second[1].id, 2);
        expect([...first, ...second, ...third].map((u) => u.id)).to.deep.equal(created.map((u) => u.id));
        expect(await fx.users.listAfterId(third[0].id, 2)).to.deep.equal([]);
      });
    });

    describe('stats', () => {
      it('counts every figure in one query, with today and week boundaries inclusive', async () => {
        const todayStart = new Date('2026-03-10T00:00:00.000Z');
        const weekStart = new Date('2026-03-03T12:00:00.000Z');
        const rows = await fx.users.bulkCreate([
          newUser('s1'),
          newUser('s2', { is_active: false }),
          newUser('s3', { is_superuser: true }),
          newUser('s4'),
          newUser('s5'),
          newUser('s6'),
        ]);
        const at = [
          '2026-03-10T00:00:00.000Z', // exactly today's start: today and week
          '2026-03-09T23:59:59.999Z', // just before today: week only
          '2026-03-03T12:00:00.000Z', // exactly the week start: week only
          '2026-03-03T11:59:59.999Z', // just before: neither
          '2026-01-01T00:00:00.000Z', // old
          '2026-03-10T15:00:00.000Z', // today
        ];
        for (const [index, user] of rows.entries()) await setCreatedAt(user.id, new Date(at[index]));
        const queries: string[] = [];
        fx.sequelize.addHook('beforeQuery', 'count-statements', (_options, query) => {
          queries.push((query as unknown as { sql: string }).sql);
        });
        const counts = await fx.users.stats({ todayStart, weekStart }).finally(() =>
          fx.sequelize.removeHook('beforeQuery', 'count-statements'),
        );
        expect(queries).to.have.length(1);
        expect(counts).to.deep.equal({ total: 6, active: 5, inactive: 1, superusers: 1, newToday: 2, newWeek: 4 });
      });

      it('returns zeros as numbers on an empty table', async () => {
        const counts = await fx.users.stats({ todayStart: new Date(), weekStart: new Date() });
        expect(counts).to.deep.equal({ total: 0, active: 0, inactive: 0, superusers: 0, newToday: 0, newWeek: 0 });
      });
    });
  });
}
