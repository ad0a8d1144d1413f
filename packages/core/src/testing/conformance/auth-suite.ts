import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { describe, it } from 'mocha';
import { expectError, expectIsoUtc, expectJson, expectUserJson, expectValidation, type UserBody } from './assertions';
import { uniqueName, type Harness } from './harness';

interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
}

interface SessionBody {
  id: number;
  created_at: string;
  expires_at: string;
  ip_address: string | null;
  user_agent: string | null;
  current: boolean;
}

const INVALID_CREDENTIALS = 'Invalid username/email or password';

/** Register, login, me, logout, logout-all and the session routes. */
export function authSuite(h: Harness): void {
  const registration = (name = uniqueName('reg')) => ({
    email: `${name}@Example.com`,
    username: name,
    password: 'correct horse 1',
    full_name: 'Reg Istered',
  });

  describe('POST /auth/register', () => {
    it('creates an ordinary active user and answers 201 with the User body', async () => {
      const input = registration();
      const res = await h.client().post(h.api('/auth/register'), { ...input, email: `  ${input.email}  `, is_superuser: true, is_active: false });
      const user = expectJson<UserBody>(res, 201);
      expectUserJson(user, h.core.fields.visible);
      expect(user.email).to.equal(input.email.toLowerCase());
      expect(user.username).to.equal(input.username);
      expect(user.full_name).to.equal('Reg Istered');
      expect(user.is_superuser, 'is_superuser can never be set here').to.equal(false);
      expect(user.is_active).to.equal(true);
    });

    it('reports every violation at once with 422', async () => {
      const res = await h.client().post(h.api('/auth/register'), { email: 'not-an-email', username: 'a!', password: 'short' });
      expectValidation(res, ['body.email', 'body.username', 'body.password']);
    });

    it('takes a password over 72 UTF-8 bytes whole: it logs in, its first 72 bytes do not', async () => {
      const input = { ...registration(), password: `${'€'.repeat(24)}and more after byte 72` };
      expectJson(await h.client().post(h.api('/auth/register'), input), 201);
      const login = (password: string) => h.client().post(h.api('/auth/login'), { username: input.username, password });
      expectJson(await login(input.password), 200);
      expectError(await login('€'.repeat(24)), 401, 'authentication_error');
    });

    it('refuses an empty JSON body with 400 or 422, never a 500', async () => {
      const res = await h.client().post(h.api('/auth/register')).set('Content-Type', 'application/json');
      expect(res.status).to.be.oneOf([400, 422]);
    });

    it('answers 409 "Email already registered" for a taken email in any case, checked before the username', async () => {
      const first = registration();
      expectJson(await h.client().post(h.api('/auth/register'), first), 201);
      const again = await h.client().post(h.api('/auth/register'), { ...first, email: first.email.toUpperCase() });
      expect(expectError(again, 409, 'conflict_error').message).to.equal('Email already registered');
    });

    it('answers 409 "Username already taken" for a username differing only in case', async () => {
      const first = registration();
      expectJson(await h.client().post(h.api('/auth/register'), first), 201);
      const other = registration();
      const res = await h.client().post(h.api('/auth/register'), { ...other, username: first.username.toUpperCase() });
      expect(expectError(res, 409, 'conflict_error').message).to.equal('Username already taken');
    });
  });

  describe('POST /auth/login', () => {
    it('returns a bearer Token for a username, and a second login gets a distinct token', async () => {
      const { user, password } = await h.createUser();
      const client = h.client();
      const first = expectJson<TokenBody>(await client.post(h.api('/auth/login'), { username: user.username, password }), 200);
      const second = expectJson<TokenBody>(await client.post(h.api('/auth/login'), { username: user.username, password }), 200);
      expect(first.token_type).to.equal('bearer');
      expect(first.expires_in).to.equal(h.core.config.accessTokenExpireMinutes * 60);
      expect(second.access_token).to.not.equal(first.access_token);
      const decoded = jwt.decode(first.access_token, { complete: true });
      expect(decoded?.header.alg).to.equal('HS256');
      const claims = decoded?.payload as jwt.JwtPayload;
      expect(claims.sub).to.equal(String(user.id));
      expect(claims.jti).to.be.a('string');
      expect((claims.exp ?? 0) - (claims.iat ?? 0)).to.equal(h.core.config.accessTokenExpireMinutes * 60);
    });

    it('accepts the email in any case, in the username or the email field', async () => {
      const { user, password } = await h.createUser();
      const client = h.client();
      expectJson(await client.post(h.api('/auth/login'), { username: user.email.toUpperCase(), password }), 200);
      expectJson(await client.post(h.api('/auth/login'), { email: user.email.toUpperCase(), password }), 200);
    });

    it('gives an unknown user and a wrong password the same 401', async () => {
      const { user } = await h.createUser();
      const wrong = expectError(await h.client().post(h.api('/auth/login'), { username: user.username, password: 'wrong password' }), 401, 'authentication_error');
      const unknown = expectError(await h.client().post(h.api('/auth/login'), { username: uniqueName('ghost'), password: 'whatever1' }), 401, 'authentication_error');
      expect(wrong.message).to.equal(INVALID_CREDENTIALS);
      expect(unknown.message).to.equal(INVALID_CREDENTIALS);
    });

    it('refuses an inactive user with 401 "User account is inactive", only once the password matched', async () => {
      const inactive = await h.createUser({ active: false });
      const right = await h.client().post(h.api('/auth/login'), { username: inactive.user.username, password: inactive.password });
      expect(expectError(right, 401, 'authentication_error').message).to.equal('User account is inactive');
      const wrong = await h.client().post(h.api('/auth/login'), { username: inactive.user.username, password: 'wrong password' });
      expect(expectError(wrong, 401, 'authentication_error').message).to.equal(INVALID_CREDENTIALS);
    });

    it('answers 422 when neither username nor email is given', async () => {
      expectError(await h.client().post(h.api('/auth/login'), { password: 'whatever1' }), 422, 'validation_error');
    });
  });

  describe('GET /auth/me', () => {
    it('returns the caller as a User with Cache-Control: no-store', async () => {
      const me = await h.signIn();
      const res = await me.client.get(h.api('/auth/me'));
      const body = expectJson<UserBody>(res, 200);
      expectUserJson(body, h.core.fields.visible);
      expect(body.id).to.equal(me.user.id);
      expect(res.headers['cache-control']).to.match(/no-store/);
    });

    it('accepts the Bearer scheme in any case', async () => {
      const me = await h.signIn();
      const res = await h.client().get(h.api('/auth/me')).set('Authorization', `bEaReR ${me.token}`);
      expectJson(res, 200);
    });

    it('refuses a missing, malformed, tampered, expired or wrongly signed token with 401', async () => {
      const me = await h.signIn();
      const claims = jwt.decode(me.token) as jwt.JwtPayload;
      const secret = h.core.config.secretKey;
      const now = Math.floor(Date.now() / 1000);
      const bad = [
        undefined,
        'not-a-jwt',
        `${me.token.slice(0, -2)}xx`,
        jwt.sign({ sub: claims.sub, jti: claims.jti, iat: now - 7200, exp: now - 3600 }, secret, { algorithm: 'HS256' }),
        jwt.sign({ sub: claims.sub, jti: claims.jti }, secret, { algorithm: 'HS512', expiresIn: 600 }),
        jwt.sign({ sub: claims.sub, jti: claims.jti }, 'another-secret-of-at-least-32-characters!', { expiresIn: 600 }),
      ];
      for (const token of bad) {
        const res = await h.client().withToken(token).get(h.api('/auth/me'));
        expectError(res, 401, 'authentication_error');
      }
      const basic = await h.client().get(h.api('/auth/me')).set('Authorization', `Basic ${me.token}`);
      expectError(basic, 401, 'authentication_error');
    });

    it('refuses the token of a deactivated user with 403 inactive_user', async () => {
      const me = await h.signIn();
      await h.setActive(me.user, false);
      expectError(await me.client.get(h.api('/auth/me')), 403, 'inactive_user');
    });
  });

  describe('POST /auth/logout', () => {
    it('answers 204 and refuses that token at once, while another session lives on', async () => {
      const me = await h.signIn();
      const other = await h.tokenFor(me);
      expectJson(await me.client.get(h.api('/auth/me')), 200);
      const res = await me.client.post(h.api('/auth/logout'));
      expect(res.status).to.equal(204);
      expect(res.text ?? '').to.equal('');
      expectError(await me.client.get(h.api('/auth/me')), 401, 'authentication_error');
      expectJson(await me.client.withToken(other).get(h.api('/auth/me')), 200);
    });

    it('refuses an anonymous caller with 401', async () => {
      expectError(await h.client().post(h.api('/auth/logout')), 401, 'authentication_error');
    });
  });

  describe('POST /auth/logout-all', () => {
    it('answers 204 and refuses every token of the user', async () => {
      const me = await h.signIn();
      const tokens = [me.token, await h.tokenFor(me), await h.tokenFor(me)];
      expect((await me.client.post(h.api('/auth/logout-all'))).status).to.equal(204);
      for (const token of tokens) expectError(await me.client.withToken(token).get(h.api('/auth/me')), 401, 'authentication_error');
    });
  });

  describe('GET /auth/sessions', () => {
    it('lists only the caller\'s active sessions, marking the current one', async () => {
      const me = await h.signIn();
      const second = await h.tokenFor(me);
      const revoked = await h.tokenFor(me);
      await me.client.withToken(revoked).post(h.api('/auth/logout'));
      await h.signIn(); // someone else's session must not show
      const sessions = expectJson<SessionBody[]>(await me.client.get(h.api('/auth/sessions')), 200);
      expect(sessions).to.have.length(2);
      expect(sessions.filter((session) => session.current)).to.have.length(1);
      for (const session of sessions) {
        expect(Object.keys(session)).to.include.members(['id', 'created_at', 'expires_at', 'ip_address', 'user_agent', 'current']);
        expectIsoUtc(session.created_at);
        expectIsoUtc(session.expires_at);
      }
      const viaSecond = expectJson<SessionBody[]>(await me.client.withToken(second).get(h.api('/auth/sessions')), 200);
      expect(viaSecond.find((session) => session.current)?.id).to.not.equal(sessions.find((session) => session.current)?.id);
    });

    it('records the client IP as the host decides it, and the user agent, at HTTP login', async () => {
      const { user, password } = await h.createUser();
      const client = h.client();
      const login = await client.post(h.api('/auth/login'), { username: user.username, password });
      const token = expectJson<TokenBody>(login, 200).access_token;
      const sessions = expectJson<SessionBody[]>(await client.withToken(token).get(h.api('/auth/sessions')), 200);
      expect(sessions).to.have.length(1);
      expect(sessions[0].ip_address).to.equal(client.ip);
      expect(sessions[0].user_agent).to.equal('conformance-agent/1.0');
    });
  });

  describe('DELETE /auth/sessions/:id', () => {
    it('revokes one of the caller\'s own sessions (204): its token is refused at once', async () => {
      const me = await h.signIn();
      const other = await h.tokenFor(me);
      const sessions = expectJson<SessionBody[]>(await me.client.get(h.api('/auth/sessions')), 200);
      const target = sessions.find((session) => !session.current)!;
      expect((await me.client.delete(h.api(`/auth/sessions/${target.id}`))).status).to.equal(204);
      expectError(await me.client.withToken(other).get(h.api('/auth/me')), 401, 'authentication_error');
      expectJson(await me.client.get(h.api('/auth/me')), 200);
      expectError(await me.client.delete(h.api(`/auth/sessions/${target.id}`)), 404, 'not_found_error');
    });

    it('answers 404 for another user\'s session and leaves it alive', async () => {
      const me = await h.signIn();
      const victim = await h.signIn();
      const theirs = expectJson<SessionBody[]>(await victim.client.get(h.api('/auth/sessions')), 200)[0];
      expectError(await me.client.delete(h.api(`/auth/sessions/${theirs.id}`)), 404, 'not_found_error');
      expectError(await me.client.delete(h.api('/auth/sessions/999999999')), 404, 'not_found_error');
      expectJson(await victim.client.get(h.api('/auth/me')), 200);
    });

    it('answers 422 for an id that is not a positive integer', async () => {
      const me = await h.signIn();
      expectError(await me.client.delete(h.api('/auth/sessions/abc')), 422, 'validation_error');
    });
  });
}
