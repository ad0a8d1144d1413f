import { expect } from 'chai';
import { before, describe, it } from 'mocha';
import type { Test } from 'supertest';
import { expectError } from './assertions';
import { uniqueName, type Harness, type SignedInUser, type TestClient } from './harness';

interface ProtectedRoute {
  name: string;
  level: 'user' | 'super';
  /** Sends the request; `other` is the id of another existing user. */
  send(client: TestClient, self: number, other: number): Test;
}

const newUser = () => {
  const name = uniqueName('perm');
  return { email: `${name}@example.com`, username: name, password: 'password-123' };
};

/**
 * The permission matrix of docs/reference/routes.md: every protected route for an anonymous caller (401),
 * a normal user (403 on superuser routes, 403 before 404 on others' ids) and a superuser.
 */
export function permissionsSuite(h: Harness): void {
  const routes: ProtectedRoute[] = [
    { name: 'GET /auth/me', level: 'user', send: (c) => c.get(h.api('/auth/me')) },
    { name: 'POST /auth/logout', level: 'user', send: (c) => c.post(h.api('/auth/logout')) },
    { name: 'POST /auth/logout-all', level: 'user', send: (c) => c.post(h.api('/auth/logout-all')) },
    { name: 'GET /auth/sessions', level: 'user', send: (c) => c.get(h.api('/auth/sessions')) },
    { name: 'DELETE /auth/sessions/:id', level: 'user', send: (c) => c.delete(h.api('/auth/sessions/1')) },
    { name: 'GET /users/:id (self)', level: 'user', send: (c, self) => c.get(h.api(`/users/${self}`)) },
    { name: 'PATCH /users/:id (self)', level: 'user', send: (c, self) => c.patch(h.api(`/users/${self}`), { full_name: 'Me' }) },
    { name: 'GET /export/my-data', level: 'user', send: (c) => c.get(h.api('/export/my-data')) },
    { name: 'GET /users', level: 'super', send: (c) => c.get(h.api('/users')) },
    { name: 'POST /users', level: 'super', send: (c) => c.post(h.api('/users'), newUser()) },
    { name: 'POST /users/bulk', level: 'super', send: (c) => c.post(h.api('/users/bulk'), [newUser()]) },
    { name: 'DELETE /users/:id', level: 'super', send: (c, _self, other) => c.delete(h.api(`/users/${other}`)) },
    { name: 'GET /export/users/json', level: 'super', send: (c) => c.get(h.api('/export/users/json')) },
    { name: 'GET /export/users/csv', level: 'super', send: (c) => c.get(h.api('/export/users/csv')) },
    { name: 'GET /dashboard/stats', level: 'super', send: (c) => c.get(h.api('/dashboard/stats')) },
    { name: 'GET /metrics/database', level: 'super', send: (c) => c.get(h.api('/metrics/database')) },
  ];

  describe('permission matrix', () => {
    let normal: SignedInUser;
    let superuser: SignedInUser;

    before(async () => {
      normal = await h.signIn();
      superuser = await h.signIn({ superuser: true });
    });

    for (const route of routes) {
      it(`${route.name}: anonymous → 401`, async () => {
        const { user: other } = await h.createUser();
        expectError(await route.send(h.client(), other.id, other.id), 401, 'authentication_error');
      });

      if (route.level === 'super') {
        it(`${route.name}: normal user → 403, superuser → 2xx`, async () => {
          const { user: other } = await h.createUser();
          expectError(await route.send(normal.client, normal.user.id, other.id), 403, 'authorization_error');
          const res = await route.send(superuser.client, superuser.user.id, other.id);
          expect(res.status, `${route.name} as superuser: ${JSON.stringify(res.body)}`).to.be.within(200, 299);
        });
      } else {
        it(`${route.name}: normal user → 2xx or its own 404`, async () => {
          const me = await h.signIn();
          const res = await route.send(me.client, me.user.id, me.user.id);
          expect(res.status, `${route.name}: ${JSON.stringify(res.body)}`).to.be.oneOf(
            route.name.startsWith('DELETE /auth/sessions') ? [404] : [200, 204],
          );
        });
      }
    }

    it('refuses a normal user another user\'s id with 403, and a missing id with 403 too (403 before 404)', async () => {
      const { user: other } = await h.createUser();
      for (const id of [other.id, 987654321]) {
        expectError(await normal.client.get(h.api(`/users/${id}`)), 403, 'authorization_error');
        expectError(await normal.client.patch(h.api(`/users/${id}`), { full_name: 'Hacked' }), 403, 'authorization_error');
      }
      expectError(await normal.client.delete(h.api(`/users/${normal.user.id}`)), 403, 'authorization_error');
      const after = await superuser.client.get(h.api(`/users/${other.id}`));
      expect(after.body.full_name).to.not.equal('Hacked');
    });

    it('lets anyone read /health and the OpenAPI document', async () => {
      expect((await h.client().get('/health')).status).to.equal(200);
      expect((await h.client().get(h.api('/openapi.json'))).status).to.equal(200);
    });
  });
}
