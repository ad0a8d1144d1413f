import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { describe, it } from 'mocha';
import { expectError, expectIsoUtc, expectJson } from './assertions';
import type { Harness, SignedInUser, TestClient } from './harness';

/** The `Token` body of login and refresh. */
export interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
  refresh_expires_in: number;
}

/** A session as `GET /auth/sessions` and `GET /users/:id/sessions` list it. */
export interface SessionBody {
  id: number;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  current: boolean;
}

const DAY_MS = 86_400_000;

/** POST /auth/refresh with `refresh_token` in the body. */
export function refresh(h: Harness, client: TestClient, token: string) {
  return client.post(h.api('/auth/refresh'), { refresh_token: token });
}

/** Spends `token` and returns the new pair, failing the test on anything but 200. */
export async function rotate(h: Harness, client: TestClient, token: string): Promise<TokenBody> {
  return expectJson<TokenBody>(await refresh(h, client, token), 200);
}

/**
 * Refresh tokens and their sessions (docs/reference/routes.md "Refresh"): the Token shape,
 * rotation, reuse of older generations, logout, typ, the admin session routes. Nothing here
 * depends on how much time passes; the 10-second window has its own suite on a manual clock.
 */
export function tokensSuite(h: Harness): void {
  const accessOf = (me: SignedInUser, token: string) => me.client.withToken(token).get(h.api('/auth/me'));

  describe('POST /auth/login', () => {
    it('returns the Token pair, with an access token carrying sub, sid, jti, typ, iat and exp', async () => {
      const { user, password } = await h.createUser();
      const client = h.client();
      const body = expectJson<TokenBody>(await client.post(h.api('/auth/login'), { username: user.username, password }), 200);
      expect(Object.keys(body).sort()).to.deep.equal(['access_token', 'expires_in', 'refresh_expires_in', 'refresh_token', 'token_type']);
      expect(body.expires_in).to.equal(h.core.config.accessTokenExpireMinutes * 60);
      expect(body.refresh_expires_in).to.equal(h.core.config.sessions.idleDays * 86_400);
      const claims = jwt.decode(body.access_token) as jwt.JwtPayload;
      expect(claims).to.include({ sub: String(user.id), typ: 'access' });
      expect(claims.sid).to.match(/^[1-9]\d*$/);
      expect(claims.jti).to.be.a('string');
      expect(body.refresh_token).to.be.a('string').and.not.include(body.access_token);
      const [session] = expectJson<SessionBody[]>(await client.withToken(body.access_token).get(h.api('/auth/sessions')), 200);
      expect(String(session!.id)).to.equal(claims.sid);
    });
  });

  describe('POST /auth/refresh', () => {
    it('rotates: a new pair for the same session, and the spent token never gives a second one', async () => {
      const me = await h.signIn();
      const next = await rotate(h, me.client, me.refreshToken);
      expect(next.refresh_token).to.not.equal(me.refreshToken);
      expect(next.access_token).to.not.equal(me.token);
      const before = jwt.decode(me.token) as jwt.JwtPayload;
      const after = jwt.decode(next.access_token) as jwt.JwtPayload;
      expect(after.sid).to.equal(before.sid);
      expect(after.jti).to.not.equal(before.jti);
      expectJson(await accessOf(me, next.access_token), 200);
      expectError(await refresh(h, me.client, me.refreshToken), 401, 'authentication_error');
    });

    it('ends the whole session when a token of an older generation comes back', async () => {
      const me = await h.signIn();
      const second = await rotate(h, me.client, me.refreshToken);
      const third = await rotate(h, me.client, second.refresh_token);
      const replay = expectError(await refresh(h, me.client, me.refreshToken), 401, 'authentication_error');
      expect(replay.message).to.match(/session has been ended/);
      expectError(await accessOf(me, third.access_token), 401, 'authentication_error');
      expectError(await accessOf(me, me.token), 401, 'authentication_error');
      expectError(await refresh(h, me.client, third.refresh_token), 401, 'authentication_error');
    });

    it('leaves the user\'s other sessions alone when one is ended for reuse', async () => {
      const me = await h.signIn();
      const other = await h.loginFor(me);
      const second = await rotate(h, me.client, me.refreshToken);
      await rotate(h, me.client, second.refresh_token);
      expectError(await refresh(h, me.client, me.refreshToken), 401, 'authentication_error');
      expectJson(await accessOf(me, other.accessToken), 200);
      await rotate(h, me.client, other.refreshToken);
    });

    it('refuses a missing token with 422 and a malformed, tampered or foreign one with 401', async () => {
      const me = await h.signIn();
      const other = await h.signIn();
      expectError(await me.client.post(h.api('/auth/refresh'), {}), 422, 'validation_error');
      const [sid, generation, secret, mac] = me.refreshToken.split('.');
      const flipped = (text: string) => `${text.slice(0, -1)}${text.endsWith('A') ? 'B' : 'A'}`;
      const otherSid = other.refreshToken.split('.')[0];
      for (const bad of ['not-a-token', `99999999999.${generation}.${secret}.${mac}`, `2147483648.${generation}.${secret}.${mac}`, `${sid}.99999999999.${secret}.${mac}`, `${sid}.${generation}.${flipped(secret!)}.${mac}`, `${sid}.${generation}.${secret}.${flipped(mac!)}`, `${otherSid}.${generation}.${secret}.${mac}`, `${sid}.7.${secret}.${mac}`]) {
        expect(expectError(await refresh(h, me.client, bad), 401, 'authentication_error').message).to.equal('Invalid refresh token');
      }
      await rotate(h, me.client, me.refreshToken);
      await rotate(h, other.client, other.refreshToken);
    });

    it('refuses the refresh of a deactivated user with 403 inactive_user, and spends nothing', async () => {
      const me = await h.signIn();
      await h.setActive(me.user, false);
      expectError(await refresh(h, me.client, me.refreshToken), 403, 'inactive_user');
      await h.setActive(me.user, true);
      await rotate(h, me.client, me.refreshToken);
    });

    it('limits refreshes to 30 a minute per client, with the RateLimit-* headers', async () => {
      const me = await h.signIn();
      const client = h.client();
      let token = me.refreshToken;
      for (let attempt = 1; attempt <= 30; attempt += 1) {
        const res = await refresh(h, client, token);
        token = expectJson<TokenBody>(res, 200).refresh_token;
        expect(Number(res.headers['ratelimit-remaining'])).to.equal(30 - attempt);
      }
      expectError(await refresh(h, client, token), 429, 'rate_limit_error');
      await rotate(h, h.client(), token);
    });
  });

  describe('logout and revocation', () => {
    it('logout kills the refresh token too', async () => {
      const me = await h.signIn();
      expect((await me.client.post(h.api('/auth/logout'))).status).to.equal(204);
      expectError(await refresh(h, me.client, me.refreshToken), 401, 'authentication_error');
    });

    it('logout-all kills every refresh token of the user', async () => {
      const me = await h.signIn();
      const other = await h.loginFor(me);
      expect((await me.client.post(h.api('/auth/logout-all'))).status).to.equal(204);
      for (const token of [me.refreshToken, other.refreshToken]) expectError(await refresh(h, me.client, token), 401, 'authentication_error');
    });

    it('revoking one session kills its refresh token and no other', async () => {
      const me = await h.signIn();
      const other = await h.loginFor(me);
      const sessions = expectJson<SessionBody[]>(await me.client.get(h.api('/auth/sessions')), 200);
      const target = sessions.find((session) => !session.current)!;
      expect((await me.client.delete(h.api(`/auth/sessions/${target.id}`))).status).to.equal(204);
      expectError(await refresh(h, me.client, other.refreshToken), 401, 'authentication_error');
      await rotate(h, me.client, me.refreshToken);
    });

    it('a password change kills the refresh tokens of the user\'s other sessions', async () => {
      const me = await h.signIn();
      const other = await h.loginFor(me);
      await h.core.services.users.updateUser(h.admin.user, me.user.id, { password: 'a-new-password-123' });
      expectError(await refresh(h, me.client, other.refreshToken), 401, 'authentication_error');
    });
  });

  describe('bearer tokens', () => {
    it('refuses a correctly signed token whose typ is not access, or that has none', async () => {
      const me = await h.signIn();
      const claims = jwt.decode(me.token) as jwt.JwtPayload;
      const secret = h.core.config.secretKey;
      const sign = (extra: object) => {
        const { typ: _typ, ...rest } = claims;
        return jwt.sign({ ...rest, ...extra }, secret, { algorithm: 'HS256' });
      };
      expectJson(await accessOf(me, sign({ typ: 'access' })), 200);
      for (const token of [sign({}), sign({ typ: 'refresh' }), sign({ typ: 'reset' })]) {
        expectError(await accessOf(me, token), 401, 'authentication_error');
      }
      expectError(await accessOf(me, me.refreshToken), 401, 'authentication_error');
    });

    it('marks a refused access token with WWW-Authenticate error="invalid_token", and a missing one without it', async () => {
      const me = await h.signIn();
      const refused = await accessOf(me, me.refreshToken);
      expectError(refused, 401, 'authentication_error');
      expect(refused.headers['www-authenticate']).to.equal('Bearer error="invalid_token"');
      const missing = await h.client().get(h.api('/auth/me'));
      expectError(missing, 401, 'authentication_error');
      expect(missing.headers['www-authenticate']).to.equal('Bearer');
    });

    it('never takes a token from the URL', async () => {
      const me = await h.signIn();
      const query = `access_token=${encodeURIComponent(me.token)}&token=${encodeURIComponent(me.token)}`;
      expectError(await h.client().get(h.api(`/auth/me?${query}`)), 401, 'authentication_error');
      const res = await h.client().post(h.api(`/auth/refresh?refresh_token=${encodeURIComponent(me.refreshToken)}`), {});
      expectError(res, 422, 'validation_error');
    });

    it('refuses a token naming another user\'s session', async () => {
      const me = await h.signIn();
      const victim = await h.signIn();
      const claims = jwt.decode(me.token) as jwt.JwtPayload;
      const theirs = (jwt.decode(victim.token) as jwt.JwtPayload).sid;
      const forged = jwt.sign({ ...claims, sid: theirs }, h.core.config.secretKey, { algorithm: 'HS256' });
      expectError(await accessOf(me, forged), 401, 'authentication_error');
    });
  });

  describe('GET /auth/sessions', () => {
    it('shows expires_at as when the session ends if unused: the idle deadline after the last use', async () => {
      const before = Date.now();
      const me = await h.signIn();
      const after = Date.now();
      const [session] = expectJson<SessionBody[]>(await me.client.get(h.api('/auth/sessions')), 200);
      const idle = h.core.config.sessions.idleDays * DAY_MS;
      expectIsoUtc(session!.expires_at);
      expectIsoUtc(session!.last_used_at!);
      expect(Date.parse(session!.expires_at)).to.be.within(before + idle - 1000, after + idle + 1000);
      expect(Date.parse(session!.expires_at) - Date.parse(session!.last_used_at!)).to.equal(idle);
    });
  });

  describe('admin session control', () => {
    it('GET /users/:id/sessions lists that user\'s active sessions for a superuser', async () => {
      const admin = await h.signIn({ superuser: true });
      const target = await h.signIn();
      await h.loginFor(target);
      const ended = await h.loginFor(target);
      await target.client.withToken(ended.accessToken).post(h.api('/auth/logout'));
      const listed = expectJson<SessionBody[]>(await admin.client.get(h.api(`/users/${target.user.id}/sessions`)), 200);
      expect(listed).to.have.length(2);
      expect(listed.every((session) => session.current === false)).to.equal(true);
      const own = expectJson<SessionBody[]>(await admin.client.get(h.api(`/users/${admin.user.id}/sessions`)), 200);
      expect(own.filter((session) => session.current)).to.have.length(1);
    });

    it('DELETE /users/:id/sessions ends every session of that user: access and refresh tokens stop (204)', async () => {
      const admin = await h.signIn({ superuser: true });
      const target = await h.signIn();
      const second = await h.loginFor(target);
      const bystander = await h.signIn();
      expect((await admin.client.delete(h.api(`/users/${target.user.id}/sessions`))).status).to.equal(204);
      expectError(await accessOf(target, target.token), 401, 'authentication_error');
      expectError(await accessOf(target, second.accessToken), 401, 'authentication_error');
      expectError(await refresh(h, target.client, second.refreshToken), 401, 'authentication_error');
      expect(expectJson<SessionBody[]>(await admin.client.get(h.api(`/users/${target.user.id}/sessions`)), 200)).to.deep.equal([]);
      expectJson(await bystander.client.get(h.api('/auth/me')), 200);
      expect((await admin.client.delete(h.api(`/users/${target.user.id}/sessions`))).status, 'none left: still 204').to.equal(204);
    });

    it('refuses a normal user with 403, and answers 404 for an unknown user', async () => {
      const me = await h.signIn();
      const admin = await h.signIn({ superuser: true });
      expectError(await me.client.get(h.api(`/users/${me.user.id}/sessions`)), 403, 'authorization_error');
      expectError(await me.client.delete(h.api(`/users/${admin.user.id}/sessions`)), 403, 'authorization_error');
      expectError(await admin.client.get(h.api('/users/999999999/sessions')), 404, 'not_found_error');
      expectError(await admin.client.delete(h.api('/users/999999999/sessions')), 404, 'not_found_error');
      expectJson(await admin.client.get(h.api('/auth/me')), 200);
    });

    it('are in the OpenAPI document with the refresh route', async () => {
      const doc = expectJson<{ paths: Record<string, Record<string, unknown>> }>(await h.client().get(h.api('/openapi.json')), 200);
      expect(doc.paths[h.api('/auth/refresh')]).to.have.property('post');
      expect(doc.paths[h.api('/users/{id}/sessions')]).to.have.keys('get', 'delete');
    });
  });
}
