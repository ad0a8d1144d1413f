import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import type { Response } from 'supertest';
import { expectError, expectJson } from './assertions';
import { Harness, type MountHost, type StorageTarget } from './harness';
import type { TokenBody } from './tokens-suite';

const COOKIE = '__Secure-refresh_token';

/** The refresh cookie a response sets, split into its value and attributes. */
function refreshCookieOf(res: Response): { value: string; attributes: string[] } {
  const header = res.headers['set-cookie'] as unknown as string[] | undefined;
  const line = (header ?? []).find((cookie) => cookie.startsWith(`${COOKIE}=`));
  expect(line, `a ${COOKIE} cookie in ${JSON.stringify(header)}`).to.be.a('string');
  const [pair, ...attributes] = line!.split(';').map((part) => part.trim());
  return { value: pair!.slice(COOKIE.length + 1), attributes };
}

/** The cookie transport (`REFRESH_COOKIE=true`), on a core of its own. */
export function refreshCookieSuite(target: StorageTarget, mount: MountHost): void {
  const h = new Harness(target, mount, { tokens: { refreshCookie: true } });
  before(() => h.start());
  after(() => h.stop());

  const login = async () => {
    const { user, password } = await h.createUser();
    const client = h.client();
    const res = await client.post(h.api('/auth/login'), { username: user.username, password });
    return { client, res, body: expectJson<TokenBody>(res, 200) };
  };

  it('sets the refresh token at login as an HttpOnly, Secure, SameSite=Strict cookie for the refresh path only', async () => {
    const { res, body } = await login();
    const cookie = refreshCookieOf(res);
    expect(cookie.value).to.equal(body.refresh_token);
    expect(cookie.attributes).to.include.members(['HttpOnly', 'Secure', 'SameSite=Strict', `Path=${h.api('/auth/refresh')}`, `Max-Age=${body.refresh_expires_in}`]);
  });

  it('refreshes from the cookie alone with a JSON body, and sets the next token as the cookie', async () => {
    const { client, res } = await login();
    const first = refreshCookieOf(res).value;
    const refreshed = await client.post(h.api('/auth/refresh'), {}).set('Cookie', `${COOKIE}=${first}`);
    const body = expectJson<TokenBody>(refreshed, 200);
    expect(refreshCookieOf(refreshed).value).to.equal(body.refresh_token);
    expectJson(await client.withToken(body.access_token).get(h.api('/auth/me')), 200);
    expectError(await client.post(h.api('/auth/refresh'), {}).set('Cookie', `${COOKIE}=${first}`), 401, 'authentication_error');
  });

  it('still accepts the token in the body, and answers 401 with neither', async () => {
    const { client, body } = await login();
    expectJson(await client.post(h.api('/auth/refresh'), { refresh_token: body.refresh_token }), 200);
    expectError(await client.post(h.api('/auth/refresh'), {}), 401, 'authentication_error');
  });

  it('ignores the cookie on a request that is not JSON (what a cross-site form can send): 415, nothing spent', async () => {
    const { client, res } = await login();
    const value = refreshCookieOf(res).value;
    const form = await client.post(h.api('/auth/refresh')).set('Cookie', `${COOKIE}=${value}`).type('form').send('a=1');
    expectError(form, 415, 'unsupported_media_type');
    expectJson(await client.post(h.api('/auth/refresh'), {}).set('Cookie', `${COOKIE}=${value}`), 200);
  });

  it('deletes the cookie on logout, and the refresh token it held is dead', async () => {
    const { client, res, body } = await login();
    const logout = await client.withToken(body.access_token).post(h.api('/auth/logout'));
    expect(logout.status).to.equal(204);
    const cleared = refreshCookieOf(logout);
    expect(cleared.value).to.equal('');
    expect(cleared.attributes).to.include.members(['Max-Age=0', `Path=${h.api('/auth/refresh')}`]);
    const value = refreshCookieOf(res).value;
    expectError(await client.post(h.api('/auth/refresh'), {}).set('Cookie', `${COOKIE}=${value}`), 401, 'authentication_error');
  });
}
