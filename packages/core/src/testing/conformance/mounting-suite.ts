import type { RequestListener, Server } from 'node:http';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import request from 'supertest';
import type { Core } from '../../core';
import { expectError, expectJson } from './assertions';
import { closeServer, listen, type Harness, type SignedInUser } from './harness';

/** A host app (as {@link MountHost} returns it). */
type Host = RequestListener | Server | Promise<RequestListener | Server>;

/** What the mounting and guard checks need from the adapter under test. */
export interface MountingOptions {
  /** Serves `core` mounted under `path` (`app.use(path, router)`, a Koa or Fastify prefix). */
  mountAt?: (core: Core, path: string) => Host;
  /**
   * A host route of its own, `GET /whoami`, behind the adapter's guard at `level`, answering
   * `{ user_id, username, session_id }` from the typed auth the guard exposes.
   */
  guarded?: (core: Core, level: 'user' | 'superuser') => Host;
}

/** The API under a mount path of the host, and the guards on the host's own routes. */
export function mountingSuite(h: Harness, options: MountingOptions): void {
  const { mountAt, guarded } = options;
  if (mountAt) for (const mount of ['/auth', '/identity/v2']) mountedSuite(h, mount, mountAt);
  if (guarded) guardSuite(h, guarded);
}

function mountedSuite(h: Harness, mount: string, mountAt: NonNullable<MountingOptions['mountAt']>): void {
  describe(`mounted under ${mount}`, () => {
    let server: Server;
    let me: SignedInUser;
    before(async () => {
      server = await listen(await mountAt(h.core, mount));
      me = await h.signIn();
    });
    after(() => closeServer(server));
    const call = (method: 'get' | 'put' | 'post' | 'patch' | 'delete', path: string, token?: string) => {
      const test = request(server)[method](path).set('X-Forwarded-For', h.client().ip);
      return token ? test.set('Authorization', `Bearer ${token}`) : test;
    };

    it('serves the API and /health under the mount', async () => {
      expectJson(await call('get', `${mount}/health`), 200);
      const body = expectJson<{ id: number }>(await call('get', `${mount}${h.api('/auth/me')}`, me.token), 200);
      expect(body.id).to.equal(me.user.id);
    });

    it('answers 404 and 405 (with Allow) under the mount', async () => {
      expectError(await call('get', `${mount}${h.api('/nope')}`), 404, 'not_found_error');
      const put = expectError(await call('put', `${mount}${h.api(`/users/${me.user.id}`)}`, me.token), 405, 'method_not_allowed');
      expect(put.request_id).to.be.a('string');
      const allow = (await call('put', `${mount}${h.api(`/users/${me.user.id}`)}`)).headers.allow;
      expect(String(allow).split(', ')).to.include.members(['GET', 'PATCH', 'DELETE']);
      expect((await call('get', `${mount}${h.api('/users/bulk')}`)).headers.allow).to.equal('POST');
      expectError(await call('post', `${mount}/health`), 405, 'method_not_allowed');
      expectError(await call('get', `${mount}${h.api('/users/%zz')}`, me.token), 422, 'validation_error');
    });

    it('names the mount as the OpenAPI document\'s server, its paths unchanged', async () => {
      const doc = expectJson<{ servers: { url: string }[]; paths: Record<string, unknown> }>(await call('get', `${mount}${h.api('/openapi.json')}`), 200);
      expect(doc.servers).to.deep.equal([{ url: mount }]);
      expect(doc.paths).to.have.property(h.api('/auth/me'));
    });

    it('leaves paths outside the mount to the host', async () => {
      const outside = await call('get', h.api('/auth/me'), me.token);
      expect(outside.status).to.equal(404);
      expect(outside.body?.request_id, 'not the API\'s envelope').to.equal(undefined);
    });
  });
}

function guardSuite(h: Harness, guarded: NonNullable<MountingOptions['guarded']>): void {
  describe('guards on the host\'s own routes', () => {
    let userServer: Server;
    let superServer: Server;
    before(async () => {
      userServer = await listen(await guarded(h.core, 'user'));
      superServer = await listen(await guarded(h.core, 'superuser'));
    });
    after(async () => {
      await closeServer(userServer);
      await closeServer(superServer);
    });
    const whoami = (server: Server, token?: string) => {
      const test = request(server).get('/whoami').set('X-Request-ID', 'guard-trace');
      return token ? test.set('Authorization', `Bearer ${token}`) : test;
    };

    it('passes the typed user and session of a valid token to the host handler', async () => {
      const me = await h.signIn();
      const res = await whoami(userServer, me.token);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.user_id).to.equal(me.user.id);
      expect(res.body.username).to.equal(me.user.username);
      expect(res.body.session_id).to.be.a('number');
    });

    it('answers the envelope\'s 401 without a token, with a bad one and after logout', async () => {
      expect(expectError(await whoami(userServer), 401, 'authentication_error').request_id).to.equal('guard-trace');
      expectError(await whoami(userServer, 'not-a-jwt'), 401, 'authentication_error');
      const me = await h.signIn();
      await h.core.services.auth.logout(await h.core.services.auth.authenticate(me.token));
      expectError(await whoami(userServer, me.token), 401, 'authentication_error');
    });

    it('answers 403 inactive_user for a deactivated account', async () => {
      const me = await h.signIn();
      await h.setActive(me.user, false);
      expectError(await whoami(userServer, me.token), 403, 'inactive_user');
    });

    it('at superuser level, refuses a normal user with 403 and lets a superuser through', async () => {
      const me = await h.signIn();
      expectError(await whoami(superServer, me.token), 403, 'authorization_error');
      const admin = await h.signIn({ superuser: true });
      expect((await whoami(superServer, admin.token)).body.user_id).to.equal(admin.user.id);
    });
  });
}
