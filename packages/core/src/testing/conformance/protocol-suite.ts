import { expect } from 'chai';
import { before, describe, it } from 'mocha';
import { expectError, expectJson, expectSecurityHeaders, type ErrorBody } from './assertions';
import { uniqueName, type Harness, type SignedInUser } from './harness';
import { sendChunked } from './raw-request';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const CSP = "default-src 'none'; frame-ancestors 'none'";

/** docs/reference/routes.md and errors.md: bodies, routing, request ids and headers, the same for every route. */
export function protocolSuite(h: Harness): void {
  let me: SignedInUser;
  let admin: SignedInUser;
  before(async () => {
    me = await h.signIn();
    admin = await h.signIn({ superuser: true });
  });
  const registration = () => {
    const name = uniqueName('proto');
    return { email: `${name}@example.com`, username: name, password: 'password-123' };
  };

  describe('request bodies', () => {
    it('answers 400 invalid_json to malformed JSON', async () => {
      const res = await h.client().post(h.api('/auth/register')).set('Content-Type', 'application/json').send('{"email": "a@b.c",');
      expectError(res, 400, 'invalid_json');
    });

    it('answers 415 to a body that is not application/json', async () => {
      const text = await h.client().post(h.api('/auth/register')).set('Content-Type', 'text/plain').send(JSON.stringify(registration()));
      expectError(text, 415, 'unsupported_media_type');
      const form = await h.client().post(h.api('/auth/login')).type('form').send({ username: 'x', password: 'yyyyyyyy' });
      expectError(form, 415, 'unsupported_media_type');
    });

    it('answers 400 invalid_json to an empty body declared as JSON', async () => {
      const res = await h.client().post(h.api('/auth/login')).set('Content-Type', 'application/json').set('Content-Length', '0');
      expectError(res, 400, 'invalid_json');
    });

    it('answers 422 to a NUL character in a string, never a driver error', async () => {
      const login = await h.client().post(h.api('/auth/login')).send({ username: 'ro\u0000ot', password: 'password-123' });
      expectError(login, 422, 'validation_error');
      const search = await admin.client.get(h.api('/users')).query({ search: 'a\u0000' });
      expectError(search, 422, 'validation_error');
    });

    it('accepts application/json with a charset parameter', async () => {
      const res = await h.client().post(h.api('/auth/register')).set('Content-Type', 'application/json; charset=utf-8').send(JSON.stringify(registration()));
      expectJson(res, 201);
    });

    it('answers 413 to a Content-Length over the limit', async () => {
      const limit = h.core.config.bodyLimitBytes;
      const body = JSON.stringify({ ...registration(), full_name: 'x'.repeat(limit) });
      const res = await h.client().post(h.api('/auth/register')).set('Content-Type', 'application/json').send(body);
      expectError(res, 413, 'request_too_large');
      expect(res.headers.connection, 'the connection closes after a 413').to.equal('close');
    });

    it('answers 413 to a chunked body that grows over the limit, without reading it whole', async () => {
      const client = h.client();
      const res = await sendChunked(`${h.baseUrl}${h.api('/auth/register')}`, { 'x-forwarded-for': client.ip }, h.core.config.bodyLimitBytes * 4);
      expect(res.status, res.body).to.equal(413);
      expect((JSON.parse(res.body) as ErrorBody).error).to.equal('request_too_large');
    });
  });

  describe('routing', () => {
    it('answers 404 not_found_error to an unknown path under the prefix', async () => {
      for (const path of ['/nope', '/users/1/extra', '', '/auth']) {
        expectError(await me.client.get(h.api(path)), 404, 'not_found_error');
      }
    });

    it('answers 405 method_not_allowed with Allow to a known path with the wrong method', async () => {
      const login = expectErrorWithAllow(await h.client().call('get', h.api('/auth/login')));
      expect(login).to.include('POST');
      const user = expectErrorWithAllow(await me.client.call('put', h.api(`/users/${me.user.id}`)));
      expect(user).to.include.members(['GET', 'PATCH', 'DELETE']);
      const health = expectErrorWithAllow(await h.client().call('post', '/health'));
      expect(health).to.include('GET');
    });

    it('answers 405 with Allow: POST to another method on /users/bulk, not the /users/:id route', async () => {
      for (const method of ['get', 'patch', 'delete'] as const) {
        expect(expectErrorWithAllow(await admin.client.call(method, h.api('/users/bulk')))).to.deep.equal(['POST']);
      }
    });

    it('answers 422 in the envelope to a path parameter with a malformed percent-escape', async () => {
      const res = await admin.client.get(h.api('/users/%zz'));
      expectError(res, 422, 'validation_error');
      expect(res.headers['x-request-id']).to.be.a('string');
      expectSecurityHeaders(res);
    });

    it('serves HEAD as GET, without a body', async () => {
      const res = await h.client().call('head', '/health');
      expect(res.status).to.equal(200);
      expect(res.headers['x-request-id']).to.be.a('string');
      expect(res.text ?? '').to.equal('');
    });

    it('serves a path with a trailing slash as the same route, without redirecting', async () => {
      expectJson(await me.client.get(h.api('/auth/me/')), 200);
      expect((await h.client().get('/health/')).status).to.equal(200);
      const { user, password } = await h.createUser();
      expectJson(await h.client().post(h.api('/auth/login/'), { username: user.username, password }), 200);
      expectJson(await me.client.get(h.api(`/users/${me.user.id}/`)), 200);
    });
  });

  describe('X-Request-ID', () => {
    it('echoes a well-formed id, up to 128 characters of [A-Za-z0-9._-]', async () => {
      for (const id of ['abc-123._X', 'a'.repeat(128)]) {
        const res = await h.client().get('/health').set('X-Request-ID', id);
        expect(res.headers['x-request-id']).to.equal(id);
      }
    });

    it('replaces a malformed or over-long id with a new UUID v4', async () => {
      for (const id of ['has space', 'semi;colon', 'a'.repeat(129), 'ünïcode']) {
        const res = await h.client().get('/health').set('X-Request-ID', id);
        expect(res.headers['x-request-id'], id).to.match(UUID_V4);
      }
      expect((await h.client().get('/health')).headers['x-request-id']).to.match(UUID_V4);
    });

    it('is carried by error responses, in the header and the envelope alike', async () => {
      const notFound = await h.client().get(h.api('/nope')).set('X-Request-ID', 'trace-404');
      expect(expectError(notFound, 404, 'not_found_error').request_id).to.equal('trace-404');
      const unauthorized = await h.client().get(h.api('/auth/me')).set('X-Request-ID', 'trace-401');
      expect(expectError(unauthorized, 401, 'authentication_error').request_id).to.equal('trace-401');
      const invalid = await h.client().post(h.api('/auth/register'), {}).set('X-Request-ID', 'bad id');
      expect(expectError(invalid, 422, 'validation_error').request_id).to.match(UUID_V4);
    });
  });

  describe('security headers', () => {
    it('are on successes and on every kind of error', async () => {
      const responses = [
        await h.client().get('/health'),
        await me.client.get(h.api('/auth/me')),
        await h.client().get(h.api('/nope')),
        await h.client().get(h.api('/auth/me')),
        await h.client().call('delete', h.api('/auth/login')),
        await h.client().post(h.api('/auth/register')).set('Content-Type', 'text/plain').send('x'),
        await h.client().post(h.api('/auth/register')).set('Content-Type', 'application/json').send('{'),
      ];
      for (const res of responses) {
        expectSecurityHeaders(res);
        expect(res.headers['content-security-policy'], `${res.status}`).to.equal(CSP);
      }
    });

    it('marks authenticated responses Cache-Control: no-store', async () => {
      expect((await me.client.get(h.api('/auth/me'))).headers['cache-control']).to.match(/no-store/);
      expect((await me.client.get(h.api('/auth/sessions'))).headers['cache-control']).to.match(/no-store/);
    });

    it('adds Strict-Transport-Security only when the host says the request came over HTTPS', async () => {
      const https = await h.client().get('/health').set('X-Forwarded-Proto', 'https');
      expect(https.headers['strict-transport-security']).to.equal('max-age=31536000; includeSubDomains');
      const plain = await h.client().get('/health');
      expect(plain.headers['strict-transport-security']).to.equal(undefined);
    });
  });
}

function expectErrorWithAllow(res: import('supertest').Response): string[] {
  expectError(res, 405, 'method_not_allowed');
  const allow = String(res.headers.allow ?? '');
  expect(allow, 'Allow header').to.not.equal('');
  return allow.split(',').map((method) => method.trim());
}
