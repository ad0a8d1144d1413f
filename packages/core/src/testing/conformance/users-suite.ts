import { expect } from 'chai';
import { before, describe, it } from 'mocha';
import { expectError, expectJson, expectUserJson, expectValidation, type PageBody, type UserBody } from './assertions';
import { uniqueName, type Harness, type SignedInUser } from './harness';

/** The /users routes: create, bulk, get, patch, delete (listing is in list-suite). */
export function usersSuite(h: Harness): void {
  let admin: SignedInUser;
  const newUser = (name = uniqueName('adm')) => ({ email: `${name}@example.com`, username: name, password: 'password-123' });
  before(async () => {
    admin = await h.signIn({ superuser: true });
  });

  describe('POST /users', () => {
    it('lets a superuser create a user with both flags set (201)', async () => {
      const res = await admin.client.post(h.api('/users'), { ...newUser(), is_active: false, is_superuser: true });
      const user = expectJson<UserBody>(res, 201);
      expectUserJson(user, h.core.fields.visible);
      expect(user.is_active).to.equal(false);
      expect(user.is_superuser).to.equal(true);
    });

    it('answers 409 naming the email or the username', async () => {
      const { user } = await h.createUser();
      const email = await admin.client.post(h.api('/users'), { ...newUser(), email: user.email.toUpperCase() });
      expect(expectError(email, 409, 'conflict_error').message).to.equal('Email already registered');
      const username = await admin.client.post(h.api('/users'), { ...newUser(), username: user.username.toLowerCase() });
      expect(expectError(username, 409, 'conflict_error').message).to.equal('Username already taken');
    });
  });

  describe('POST /users/bulk', () => {
    const countWith = async (marker: string) =>
      expectJson<PageBody>(await admin.client.get(h.api(`/users?search=${marker}`)), 200).total;

    it('creates every user and answers 201 with them in input order', async () => {
      const names = [uniqueName('bz'), uniqueName('ba'), uniqueName('bm')];
      const res = await admin.client.post(h.api('/users/bulk'), names.map((name) => newUser(name)));
      const users = expectJson<UserBody[]>(res, 201);
      expect(users.map((user) => user.username)).to.deep.equal(names);
      users.forEach((user) => expectUserJson(user, h.core.fields.visible));
    });

    it('refuses an invalid item with 422 naming body.<i>.<field>, creating nothing', async () => {
      const marker = uniqueName('bv');
      const items = [newUser(`${marker}a`), { ...newUser(`${marker}b`), password: 'short' }, { ...newUser(`${marker}c`), email: 'nope' }];
      expectValidation(await admin.client.post(h.api('/users/bulk'), items), ['body.1.password', 'body.2.email']);
      expect(await countWith(marker)).to.equal(0);
    });

    it('refuses a duplicate inside the batch with 409 naming the item index, creating nothing', async () => {
      const marker = uniqueName('bd');
      const items = [newUser(`${marker}a`), newUser(`${marker}b`), { ...newUser(`${marker}c`), email: `${marker}A@EXAMPLE.com` }];
      const body = expectError(await admin.client.post(h.api('/users/bulk'), items), 409, 'conflict_error');
      expect(namesIndex(body, 2), JSON.stringify(body)).to.equal(true);
      expect(body.details.map((detail) => detail.field)).to.include('body.2.email');
      expect(await countWith(marker)).to.equal(0);
    });

    it('refuses a duplicate of an existing user with 409 naming the item index, creating nothing', async () => {
      const { user } = await h.createUser();
      const marker = uniqueName('bt');
      const items = [newUser(`${marker}a`), { ...newUser(`${marker}b`), username: user.username.toUpperCase() }];
      const body = expectError(await admin.client.post(h.api('/users/bulk'), items), 409, 'conflict_error');
      expect(namesIndex(body, 1), JSON.stringify(body)).to.equal(true);
      expect(body.details.map((detail) => detail.field)).to.include('body.1.username');
      expect(await countWith(marker)).to.equal(0);
    });

    it('refuses an empty array, a non-array and more than the bulk maximum with 422', async () => {
      expectError(await admin.client.post(h.api('/users/bulk'), []), 422, 'validation_error');
      expectError(await admin.client.post(h.api('/users/bulk'), newUser()), 422, 'validation_error');
      const tooMany = Array.from({ length: h.core.config.bulkMax + 1 }, () => newUser());
      expectError(await admin.client.post(h.api('/users/bulk'), tooMany), 422, 'validation_error');
    });
  });

  describe('GET /users/:id', () => {
    it('returns any user to a superuser and oneself to a normal user', async () => {
      const me = await h.signIn();
      expect(expectJson<UserBody>(await admin.client.get(h.api(`/users/${me.user.id}`)), 200).id).to.equal(me.user.id);
      expect(expectJson<UserBody>(await me.client.get(h.api(`/users/${me.user.id}`)), 200).username).to.equal(me.user.username);
    });

    it('answers 404 to a superuser for a missing id and 422 for a non-numeric one', async () => {
      expectError(await admin.client.get(h.api('/users/987654321')), 404, 'not_found_error');
      expectError(await admin.client.get(h.api('/users/abc')), 422, 'validation_error');
    });
  });

  describe('PATCH /users/:id', () => {
    it('lets a user change their own email, username and full name; full_name null clears it', async () => {
      const me = await h.signIn({ full_name: 'Before' });
      const name = uniqueName('ren');
      const res = await me.client.patch(h.api(`/users/${me.user.id}`), {
        email: ` ${name}@EXAMPLE.com`,
        username: name,
        full_name: null,
        current_password: me.password,
      });
      const user = expectJson<UserBody>(res, 200);
      expect(user).to.include({ email: `${name}@example.com`, username: name, full_name: null });
      expect(Date.parse(user.updated_at)).to.be.at.least(Date.parse(user.created_at));
    });

    it('refuses is_active or is_superuser from a normal user with 403, even unchanged', async () => {
      const me = await h.signIn();
      for (const body of [{ is_superuser: true }, { is_active: true }, { is_active: false, full_name: 'x' }]) {
        expectError(await me.client.patch(h.api(`/users/${me.user.id}`), body), 403, 'authorization_error');
      }
      expect(expectJson<UserBody>(await admin.client.get(h.api(`/users/${me.user.id}`)), 200).is_superuser).to.equal(false);
    });

    it('lets a superuser change the flags', async () => {
      const { user } = await h.createUser();
      const res = await admin.client.patch(h.api(`/users/${user.id}`), { is_superuser: true, is_active: false });
      expect(expectJson<UserBody>(res, 200)).to.include({ is_superuser: true, is_active: false });
    });

    it('refuses an explicit null on a non-nullable field with 422 naming it', async () => {
      const me = await h.signIn();
      for (const field of ['email', 'username', 'password']) {
        expectValidation(await me.client.patch(h.api(`/users/${me.user.id}`), { [field]: null }), [`body.${field}`]);
      }
      const { user } = await h.createUser();
      for (const field of ['is_active', 'is_superuser']) {
        expectValidation(await admin.client.patch(h.api(`/users/${user.id}`), { [field]: null }), [`body.${field}`]);
      }
    });

    it('answers 409 for a taken email or a username taken in another case', async () => {
      const me = await h.signIn();
      const { user: other } = await h.createUser();
      const email = await me.client.patch(h.api(`/users/${me.user.id}`), { email: other.email.toUpperCase(), current_password: me.password });
      expect(expectError(email, 409, 'conflict_error').message).to.equal('Email already registered');
      const username = await me.client.patch(h.api(`/users/${me.user.id}`), { username: other.username.toUpperCase() });
      expect(expectError(username, 409, 'conflict_error').message).to.equal('Username already taken');
    });

    it('revokes the other sessions on a password change but keeps the current one', async () => {
      const me = await h.signIn();
      const other = await h.tokenFor(me);
      expectJson(await me.client.patch(h.api(`/users/${me.user.id}`), { password: 'a brand new password', current_password: me.password }), 200);
      expectJson(await me.client.get(h.api('/auth/me')), 200);
      expectError(await me.client.withToken(other).get(h.api('/auth/me')), 401, 'authentication_error');
      const client = h.client();
      expectError(await client.post(h.api('/auth/login'), { username: me.user.username, password: me.password }), 401, 'authentication_error');
      expectJson(await client.post(h.api('/auth/login'), { username: me.user.username, password: 'a brand new password' }), 200);
    });

    it('answers 404 to a superuser for a missing id', async () => {
      expectError(await admin.client.patch(h.api('/users/987654321'), { full_name: 'x' }), 404, 'not_found_error');
    });
  });

  describe('DELETE /users/:id', () => {
    it('removes the user (204); its token is refused at once and the id is gone', async () => {
      const victim = await h.signIn();
      expectJson(await victim.client.get(h.api('/auth/me')), 200);
      const res = await admin.client.delete(h.api(`/users/${victim.user.id}`));
      expect(res.status).to.equal(204);
      expect(res.text ?? '').to.equal('');
      expectError(await victim.client.get(h.api('/auth/me')), 401, 'authentication_error');
      expectError(await admin.client.get(h.api(`/users/${victim.user.id}`)), 404, 'not_found_error');
      expectError(await admin.client.delete(h.api(`/users/${victim.user.id}`)), 404, 'not_found_error');
    });
  });
}

/** True when the 409 names item `index`: in a detail's field (`body.<i>.…`) or in a message. */
function namesIndex(body: { message: string; details: Array<{ field?: string; message: string }> }, index: number): boolean {
  const mentions = new RegExp(`(^|\\D)${index}(\\D|$)`);
  return (
    body.details.some((detail) => detail.field?.startsWith(`body.${index}.`) || mentions.test(detail.message)) ||
    mentions.test(body.message)
  );
}
