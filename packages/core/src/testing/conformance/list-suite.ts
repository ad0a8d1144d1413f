import { expect } from 'chai';
import { before, describe, it } from 'mocha';
import { expectJson, expectUserJson, expectValidation, type PageBody } from './assertions';
import { uniqueName, type Harness, type SignedInUser } from './harness';

/** GET /users: pagination edges, filters, search, sorting and query booleans. */
export function listSuite(h: Harness): void {
  describe('GET /users', () => {
    let admin: SignedInUser;
    let marker: string;
    const list = async (query: string) => expectJson<PageBody>(await admin.client.get(h.api(`/users?${query}`)), 200);

    before(async () => {
      admin = await h.signIn({ superuser: true });
      marker = uniqueName('ls');
      // Created one by one, in a shuffled username order, so created_at and username orders differ.
      for (const suffix of ['c', 'a', 'e', 'b', 'd']) {
        await h.createUser({ username: `${marker}${suffix}`, active: suffix !== 'a', superuser: suffix === 'b' });
      }
    });

    it('returns a page with items, total, page, size and pages, newest first by default', async () => {
      const page = await list(`search=${marker}`);
      expect(page).to.include({ total: 5, page: 1, size: 50, pages: 1 });
      expect(page.items).to.have.length(5);
      page.items.forEach((item) => expectUserJson(item, h.core.fields.visible));
      const created = page.items.map((item) => Date.parse(item.created_at));
      expect(created).to.deep.equal([...created].sort((a, b) => b - a));
    });

    it('pages through the results; a page past the end is 200 with no items', async () => {
      const first = await list(`search=${marker}&size=2&sort_by=username&sort_order=asc`);
      expect(first).to.include({ total: 5, page: 1, size: 2, pages: 3 });
      const third = await list(`search=${marker}&size=2&page=3&sort_by=username&sort_order=asc`);
      expect(third.items.map((item) => item.username)).to.deep.equal([`${marker}e`]);
      const past = await list(`search=${marker}&size=2&page=4`);
      expect(past.items).to.deep.equal([]);
      expect(past).to.include({ total: 5, page: 4 });
    });

    it('refuses size 0, size 101, page 0 and a non-numeric page with 422 naming the parameter', async () => {
      expectValidation(await admin.client.get(h.api('/users?size=0')), ['query.size']);
      expectValidation(await admin.client.get(h.api('/users?size=101')), ['query.size']);
      expectValidation(await admin.client.get(h.api('/users?page=0')), ['query.page']);
      expectValidation(await admin.client.get(h.api('/users?page=abc')), ['query.page']);
      expect((await list('size=100')).size).to.equal(100);
    });

    it('sorts by username and email in both orders', async () => {
      const asc = await list(`search=${marker}&sort_by=username&sort_order=asc`);
      expect(asc.items.map((item) => item.username.slice(-1))).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
      const desc = await list(`search=${marker}&sort_by=email&sort_order=desc`);
      expect(desc.items.map((item) => item.username.slice(-1))).to.deep.equal(['e', 'd', 'c', 'b', 'a']);
      expectValidation(await admin.client.get(h.api('/users?sort_by=password')), ['query.sort_by']);
      expectValidation(await admin.client.get(h.api('/users?sort_order=up')), ['query.sort_order']);
    });

    it('breaks created_at ties by id, so paging one by one visits every user once', async () => {
      const tied = uniqueName('tie');
      await h.core.services.users.bulkCreate(
        Array.from({ length: 6 }, (_, index) => ({ email: `${tied}${index}@example.com`, username: `${tied}${index}`, password: 'password-123' })),
      );
      for (const order of ['asc', 'desc']) {
        const whole = await list(`search=${tied}&sort_order=${order}`);
        expect(whole.total).to.equal(6);
        const visited: number[] = [];
        for (let page = 1; page <= 6; page += 1) {
          visited.push(...(await list(`search=${tied}&sort_order=${order}&size=1&page=${page}`)).items.map((item) => item.id));
        }
        expect(visited, order).to.deep.equal(whole.items.map((item) => item.id));
        for (let i = 1; i < whole.items.length; i += 1) {
          const [previous, current] = [whole.items[i - 1], whole.items[i]];
          if (previous.created_at === current.created_at) {
            expect(order === 'asc' ? previous.id < current.id : previous.id > current.id, `tie order ${order}`).to.equal(true);
          }
        }
      }
    });

    it('filters on is_active and is_superuser with true/false/1/0 in any case', async () => {
      expect((await list(`search=${marker}&is_active=FALSE`)).items.map((item) => item.username)).to.deep.equal([`${marker}a`]);
      expect((await list(`search=${marker}&is_active=0`)).total).to.equal(1);
      expect((await list(`search=${marker}&is_active=TRUE`)).total).to.equal(4);
      expect((await list(`search=${marker}&is_active=1`)).total).to.equal(4);
      expect((await list(`search=${marker}&is_superuser=true`)).items.map((item) => item.username)).to.deep.equal([`${marker}b`]);
      expect((await list(`search=${marker}&is_superuser=True&is_active=false`)).total).to.equal(0);
    });

    it('refuses any other boolean spelling with 422', async () => {
      for (const value of ['yes', 'no', 'on', '2', '']) {
        expectValidation(await admin.client.get(h.api(`/users?is_active=${value}`)), ['query.is_active']);
      }
      expectValidation(await admin.client.get(h.api('/users?is_superuser=Y')), ['query.is_superuser']);
    });

    it('searches username, email and full name case-insensitively', async () => {
      expect((await list(`search=${marker.toUpperCase()}`)).total).to.equal(5);
      const named = uniqueName('fn');
      const { user } = await h.createUser({ full_name: `Ada ${named} Lovelace` });
      expect((await list(`search=${encodeURIComponent(`${named} lovelace`)}`)).items.map((item) => item.id)).to.deep.equal([user.id]);
      const byEmail = await list(`search=${encodeURIComponent(`${user.username}@EXAMPLE`)}`);
      expect(byEmail.items.map((item) => item.id)).to.deep.equal([user.id]);
    });

    it('treats % and _ in the search as literal characters', async () => {
      const tag = uniqueName('lit');
      const percent = await h.createUser({ full_name: `50%${tag}` });
      await h.createUser({ full_name: `50x${tag}` });
      const underscore = await h.createUser({ full_name: `a_${tag}` });
      await h.createUser({ full_name: `ab${tag}` });
      expect((await list(`search=${encodeURIComponent(`0%${tag}`)}`)).items.map((item) => item.id)).to.deep.equal([percent.user.id]);
      expect((await list(`search=${encodeURIComponent(`a_${tag}`)}`)).items.map((item) => item.id)).to.deep.equal([underscore.user.id]);
    });

    it('refuses an empty search or one over 100 characters with 422', async () => {
      expectValidation(await admin.client.get(h.api(`/users?search=${'x'.repeat(101)}`)), ['query.search']);
      expectValidation(await admin.client.get(h.api('/users?search=')), ['query.search']);
    });
  });
}
