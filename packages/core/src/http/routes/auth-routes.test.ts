import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import { afterEach, describe, it } from 'mocha';
import { makeSession } from '../../services/service-fakes';
import { adminAuth, buildRequest, createTestApi, jsonOf, type TestApi } from '../http-test-kit';

const PAIR = { accessToken: 'jwt', tokenType: 'bearer', expiresIn: 900, refreshToken: '5.1.rt', refreshExpiresIn: 604_800 } as never;
const COOKIE = '__Secure-refresh_token';

describe('refresh and session routes', () => {
  let t: TestApi;
  afterEach(() => t.close());

  describe('without the cookie transport', () => {
    it('hands the body token to the service and answers a Token, setting no cookie', async () => {
      t = createTestApi();
      t.services.auth.refresh.resolves(PAIR);
      const res = await t.call('auth.refresh', { json: { refresh_token: '5.0.old' }, headers: { cookie: `${COOKIE}=ignored` } });
      expect(res.status).to.equal(200);
      expect(jsonOf(res)).to.deep.equal({ access_token: 'jwt', token_type: 'bearer', expires_in: 900, refresh_token: '5.1.rt', refresh_expires_in: 604_800 });
      expect(t.services.auth.refresh.firstCall.args).to.deep.equal([{ refresh_token: '5.0.old' }]);
      expect(res.headers).to.not.have.property('Set-Cookie');
    });

    it('answers 422 naming body.refresh_token when it is missing, even with a cookie', async () => {
      t = createTestApi();
      const res = await t.call('auth.refresh', { json: {}, headers: { cookie: `${COOKIE}=5.0.x` } });
      expect(res.status).to.equal(422);
      expect(jsonOf(res).details.map((detail: { field: string }) => detail.field)).to.deep.equal(['body.refresh_token']);
      expect(t.services.auth.refresh.called).to.equal(false);
    });

    it('limits refreshes to 30 a minute per client', async () => {
      t = createTestApi();
      t.services.auth.refresh.resolves(PAIR);
      for (let i = 0; i < 30; i += 1) expect((await t.call('auth.refresh', { json: { refresh_token: 'x' } })).status).to.equal(200);
      const refused = await t.call('auth.refresh', { json: { refresh_token: 'x' } });
      expect(refused.status).to.equal(429);
    });
  });

  describe('with the cookie transport', () => {
    it('sets the refresh cookie on login: HttpOnly, Secure, SameSite=Strict, only for the refresh path', async () => {
      t = createTestApi({ tokens: { refreshCookie: true } });
      t.services.auth.login.resolves(PAIR);
      const res = await t.call('auth.login', { json: { username: 'alice', password: 'pw' } });
      expect(res.headers['Set-Cookie']).to.equal(`${COOKIE}=5.1.rt; Path=/api/v1/auth/refresh; Max-Age=604800; HttpOnly; Secure; SameSite=Strict`);
      expect(jsonOf(res).refresh_token).to.equal('5.1.rt');
    });

    it('reads the cookie when the JSON body has no token, prefers the body one, and sets the new cookie', async () => {
      t = createTestApi({ tokens: { refreshCookie: true } });
      t.services.auth.refresh.resolves(PAIR);
      const viaCookie = await t.call('auth.refresh', { json: {}, headers: { cookie: `theme=dark; ${COOKIE}=5.0.from-cookie` } });
      expect(viaCookie.status).to.equal(200);
      expect(viaCookie.headers['Set-Cookie']).to.match(new RegExp(`^${COOKIE}=5\\.1\\.rt;`));
      await t.call('auth.refresh', { json: { refresh_token: '5.0.from-body' }, headers: { cookie: `${COOKIE}=5.0.from-cookie` } });
      expect(t.services.auth.refresh.args.map((args) => args[0])).to.deep.equal([{ refresh_token: '5.0.from-cookie' }, { refresh_token: '5.0.from-body' }]);
    });

    it('answers 401 with neither a body token nor a cookie, and 401 for an oversized cookie', async () => {
      t = createTestApi({ tokens: { refreshCookie: true } });
      expect((await t.call('auth.refresh', { json: {} })).status).to.equal(401);
      expect((await t.call('auth.refresh', { json: {}, headers: { cookie: `${COOKIE}=${'x'.repeat(600)}` } })).status).to.equal(401);
      expect(t.services.auth.refresh.called).to.equal(false);
    });

    it('never reads the cookie from a request that is not JSON (a cross-site form): 415', async () => {
      t = createTestApi({ tokens: { refreshCookie: true } });
      const route = t.api.routes.find((candidate) => candidate.id === 'auth.refresh')!;
      const form = buildRequest({ method: 'POST', path: route.path, headers: { cookie: `${COOKIE}=5.0.x`, 'content-type': 'application/x-www-form-urlencoded' } });
      form.body = { kind: 'parsed', value: {} };
      const streamed = buildRequest({ method: 'POST', path: route.path, json: {}, headers: { cookie: `${COOKIE}=5.0.x`, 'content-type': 'text/plain' } });
      expect((await t.api.handle(route, form)).status, 'even a body the host parsed').to.equal(415);
      expect((await t.api.handle(route, streamed)).status).to.equal(415);
      expect(t.services.auth.refresh.called).to.equal(false);
    });

    it('deletes the cookie on logout and logout-all', async () => {
      t = createTestApi({ tokens: { refreshCookie: true } });
      for (const id of ['auth.logout', 'auth.logoutAll']) {
        const res = await t.call(id, { token: 'user-token' });
        expect(res.status).to.equal(204);
        expect(res.headers['Set-Cookie']).to.equal(`${COOKIE}=; Path=/api/v1/auth/refresh; Max-Age=0; HttpOnly; Secure; SameSite=Strict`);
      }
    });
  });

  describe('OpenAPI', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const refreshOperation = (api: TestApi): any => (api.api.openapi() as any).paths['/api/v1/auth/refresh'].post;

    it('requires refresh_token in the body unless the cookie transport is on, which documents its cookie', async () => {
      t = createTestApi();
      const plain = refreshOperation(t);
      expect(plain.requestBody.content['application/json'].schema.required).to.deep.equal(['refresh_token']);
      expect(plain.responses['200'].headers ?? {}).to.not.have.property('Set-Cookie');
      await t.close();
      t = createTestApi({ tokens: { refreshCookie: true } });
      const withCookie = refreshOperation(t);
      expect(withCookie.requestBody.content['application/json'].schema.required ?? []).to.deep.equal([]);
      expect(withCookie.responses['200'].headers).to.have.property('Set-Cookie');
      expect(withCookie.description).to.include(COOKIE);
      const result = await new Validator().validate(t.api.openapi());
      expect(result.errors, JSON.stringify(result.errors)).to.equal(undefined);
    });
  });

  describe('admin session routes', () => {
    it('lists a user\'s sessions for a superuser, marking the caller\'s own', async () => {
      t = createTestApi();
      t.services.auth.listUserSessions.resolves([{ ...makeSession({ id: 20, user_id: 2 }), current: true }]);
      const res = await t.call('users.sessions.list', { token: 'admin-token', params: { id: '2' } });
      expect(res.status).to.equal(200);
      expect(jsonOf(res)[0]).to.include({ id: 20, current: true });
      expect(t.services.auth.listUserSessions.firstCall.args).to.deep.equal([adminAuth.user, 2, 20]);
    });

    it('ends every session of a user (204) and refuses a normal user (403)', async () => {
      t = createTestApi();
      t.services.auth.endUserSessions.resolves(3);
      expect((await t.call('users.sessions.revoke', { token: 'admin-token', params: { id: '1' } })).status).to.equal(204);
      expect(t.services.auth.endUserSessions.firstCall.args).to.deep.equal([adminAuth.user, 1]);
      expect((await t.call('users.sessions.revoke', { token: 'user-token', params: { id: '1' } })).status).to.equal(403);
      expect((await t.call('users.sessions.list', { token: 'user-token', params: { id: '1' } })).status).to.equal(403);
    });
  });
});
