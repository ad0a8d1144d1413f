import { ConnectionRefusedError, UniqueConstraintError } from 'sequelize';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { AppError, ERROR_STATUS, type ErrorCode } from '../errors/app-error';
import { aliceAuth, buildRequest, createTestApi, jsonOf, type TestApi } from './http-test-kit';
import type { HttpRequest, HttpResponse } from './types';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const validUser = { email: 'bob@example.com', username: 'bob', password: 'long-enough-1' };

/** Dispatches through the one matcher and fails the test when the core says "not mine". */
async function dispatch(t: TestApi, request: HttpRequest): Promise<HttpResponse> {
  const response = await t.api.dispatch(request);
  if (!response) throw new Error(`${request.method} ${request.path} was not the API's`);
  return response;
}

describe('HttpApi pipeline', () => {
  let t: TestApi;
  beforeEach(() => {
    t = createTestApi();
  });
  afterEach(() => t.close());

  describe('request id', () => {
    it('echoes a valid X-Request-ID', async () => {
      const response = await t.call('system.health', { headers: { 'x-request-id': 'abc.DEF_123-x' } });
      expect(response.headers['X-Request-ID']).to.equal('abc.DEF_123-x');
    });

    for (const [label, value] of [
      ['too long', 'a'.repeat(129)],
      ['with a space', 'abc def'],
      ['with a newline', 'abc\nSet-Cookie: x'],
      ['empty', ''],
    ] as const) {
      it(`replaces an id ${label} with a new UUID v4, in the envelope too`, async () => {
        const response = await t.call('auth.me', { headers: { 'x-request-id': value } });
        expect(response.headers['X-Request-ID']).to.match(UUID_V4);
        expect(jsonOf(response).request_id).to.equal(response.headers['X-Request-ID']);
      });
    }

    it('accepts exactly 128 characters', async () => {
      const id = 'a'.repeat(128);
      const response = await dispatch(t, buildRequest({ path: '/api/v1/nope', headers: { 'x-request-id': id } }));
      expect(response.headers['X-Request-ID']).to.equal(id);
      expect(jsonOf(response).request_id).to.equal(id);
    });
  });

  describe('error envelope', () => {
    const codes = Object.keys(ERROR_STATUS).filter((code) => code !== 'internal_server_error') as ErrorCode[];
    for (const code of codes) {
      it(`maps a service's ${code} to ${ERROR_STATUS[code]} with the envelope`, async () => {
        const details = code === 'validation_error' ? [{ type: 'custom', message: 'bad', field: 'body.email' }] : [];
        t.services.users.getUser.rejects(new AppError(code, `message of ${code}`, { details, retryAfterSeconds: 7 }));
        const response = await t.call('users.get', { params: { id: '1' }, token: 'user-token' });
        expect(response.status).to.equal(ERROR_STATUS[code]);
        expect(jsonOf(response)).to.deep.equal({
          error: code,
          message: `message of ${code}`,
          details,
          request_id: response.headers['X-Request-ID'],
        });
        expect(response.headers['Content-Type']).to.match(/^application\/json/);
        expect(response.headers['WWW-Authenticate']).to.equal(code === 'authentication_error' ? 'Bearer' : undefined);
        // Whatever the code, an error that knows when to come back says so (503 from a full hashing queue).
        expect(response.headers['Retry-After']).to.equal('7');
      });
    }

    it('sends no Retry-After for an error without a retry delay, but always one on 429', async () => {
      t.services.users.getUser.rejects(new AppError('service_unavailable', 'down'));
      expect((await t.call('users.get', { params: { id: '1' }, token: 'user-token' })).headers['Retry-After']).to.equal(undefined);
      t.services.users.getUser.rejects(new AppError('rate_limit_error', 'slow down'));
      expect((await t.call('users.get', { params: { id: '1' }, token: 'user-token' })).headers['Retry-After']).to.equal('1');
    });

    it('answers 500 with a generic message, logging the stack and request id but never sending them', async () => {
      t.services.users.getUser.rejects(new Error('password=hunter2 at db.internal:5432'));
      const response = await t.call('users.get', { params: { id: '1' }, token: 'user-token' });
      const body = jsonOf(response);
      expect(response.status).to.equal(500);
      expect(body.error).to.equal('internal_server_error');
      expect(JSON.stringify(body)).not.to.contain('hunter2');
      expect(body.details).to.deep.equal([]);
      expect(t.logger.error.calledOnce).to.equal(true);
      const [fields, message] = t.logger.error.firstCall.args as [{ err: Error; request_id: string }, string];
      expect(fields.request_id).to.equal(response.headers['X-Request-ID']);
      expect(fields.err.message).to.contain('hunter2');
      expect(fields.err.stack).to.contain('at ');
      expect(message).to.equal('request failed: internal_server_error');
    });

    it('logs a shed request (503 with Retry-After) as one warning without a stack, not as an error', async () => {
      t.services.users.getUser.rejects(new AppError('service_unavailable', 'Password hashing is overloaded; try again shortly', { retryAfterSeconds: 2 }));
      const response = await t.call('users.get', { params: { id: '1' }, token: 'user-token' });
      expect([response.status, response.headers['Retry-After']]).to.deep.equal([503, '2']);
      expect(t.logger.error.called).to.equal(false);
      expect(t.logger.warn.calledOnce).to.equal(true);
      const [fields, message] = t.logger.warn.firstCall.args as [Record<string, unknown>, string];
      expect(fields).to.deep.equal({ request_id: response.headers['X-Request-ID'], code: 'service_unavailable', retry_after_seconds: 2 });
      expect(message).to.equal('request shed: Password hashing is overloaded; try again shortly');
    });

    it('never leaks the message of a hand-built internal_server_error', async () => {
      t.services.users.getUser.rejects(new AppError('internal_server_error', 'SELECT * FROM secrets failed'));
      const response = await t.call('users.get', { params: { id: '1' }, token: 'user-token' });
      expect(jsonOf(response).message).not.to.contain('secrets');
    });

    it('maps a unique-constraint race to 409 and an unreachable database to 503', async () => {
      const race = new UniqueConstraintError({ message: 'duplicate key', fields: { email: 'x' } });
      t.services.users.createUser.rejects(race);
      const conflict = await t.call('users.create', { token: 'admin-token', json: validUser });
      expect(conflict.status).to.equal(409);
      const down = new ConnectionRefusedError(Object.assign(new Error('ECONNREFUSED 10.0.0.3'), { code: 'ECONNREFUSED' }));
      t.services.users.createUser.rejects(down);
      const unavailable = await t.call('users.create', { token: 'admin-token', json: validUser });
      expect(unavailable.status).to.equal(503);
      expect(JSON.stringify(jsonOf(unavailable))).not.to.contain('10.0.0.3');
    });

    it('still answers when the logger itself throws', async () => {
      t.logger.error.throws(new Error('log sink down'));
      t.services.users.getUser.rejects(new Error('boom'));
      const response = await t.call('users.get', { params: { id: '1' }, token: 'user-token' });
      expect(response.status).to.equal(500);
      expect(response.headers['X-Content-Type-Options']).to.equal('nosniff');
    });
  });

  describe('security headers', () => {
    const expectSecurityHeaders = (headers: Record<string, string>) => {
      expect(headers['X-Content-Type-Options']).to.equal('nosniff');
      expect(headers['X-Frame-Options']).to.equal('DENY');
      expect(headers['Referrer-Policy']).to.equal('no-referrer');
      expect(headers['Content-Security-Policy']).to.equal("default-src 'none'; frame-ancestors 'none'");
    };

    it('are on successes, errors, 404s and 405s', async () => {
      t.services.health.check.resolves({ status: 'healthy' } as never);
      expectSecurityHeaders((await t.call('system.health')).headers);
      expectSecurityHeaders((await t.call('auth.me')).headers);
      expectSecurityHeaders((await dispatch(t, buildRequest({ path: '/api/v1/nope' }))).headers);
      expectSecurityHeaders((await dispatch(t, buildRequest({ method: 'PUT', path: '/api/v1/auth/me' }))).headers);
    });

    it('mark authenticated responses no-store', async () => {
      const response = await t.call('auth.me', { token: 'user-token' });
      expect(response.status).to.equal(200);
      expect(response.headers['Cache-Control']).to.equal('no-store');
    });

    it('add HSTS only when the request came over https', async () => {
      const plain = await t.call('auth.me', { token: 'user-token' });
      const tls = await t.call('auth.me', { token: 'user-token', protocol: 'https' });
      const tlsError = await dispatch(t, buildRequest({ path: '/api/v1/nope', protocol: 'https' }));
      expect(plain.headers['Strict-Transport-Security']).to.equal(undefined);
      expect(tls.headers['Strict-Transport-Security']).to.equal('max-age=31536000; includeSubDomains');
      expect(tlsError.headers['Strict-Transport-Security']).to.equal('max-age=31536000; includeSubDomains');
    });
  });

  describe('authentication', () => {
    it('answers 401 with WWW-Authenticate when the header is missing', async () => {
      const response = await t.call('auth.me');
      expect(response.status).to.equal(401);
      expect(jsonOf(response).error).to.equal('authentication_error');
      expect(response.headers['WWW-Authenticate']).to.equal('Bearer');
    });

    it('answers 401 for another scheme and for a token the service refuses', async () => {
      const basic = await t.call('auth.me', { headers: { authorization: 'Basic dXNlcjpwdw==' } });
      const bad = await t.call('auth.me', { token: 'forged' });
      expect([basic.status, bad.status]).to.deep.equal([401, 401]);
      expect(basic.headers['WWW-Authenticate']).to.equal('Bearer');
      expect(t.services.auth.authenticate.calledWith('forged')).to.equal(true);
    });

    it('marks a refused access token invalid_token, and only that 401, so a client knows when to refresh', async () => {
      const refused = await t.call('auth.me', { token: 'forged' });
      expect(jsonOf(refused)).to.include({ error: 'authentication_error', message: 'Could not validate credentials' });
      expect(refused.headers['WWW-Authenticate']).to.equal('Bearer error="invalid_token"');
      // A 401 of the handler (a wrong current password) comes after the token was accepted: final.
      t.services.users.getUser.rejects(new AppError('authentication_error', 'Current password is incorrect'));
      const handler = await t.call('users.get', { params: { id: '1' }, token: 'user-token' });
      expect(handler.status).to.equal(401);
      expect(handler.headers['WWW-Authenticate']).to.equal('Bearer');
    });

    it('accepts the scheme in any case', async () => {
      const response = await t.call('auth.me', { headers: { authorization: 'bEaReR user-token' } });
      expect(response.status).to.equal(200);
      expect(jsonOf(response).username).to.equal('alice');
    });

    it('answers 403 authorization_error to a normal user on a superuser route', async () => {
      const response = await t.call('users.list', { token: 'user-token' });
      expect(response.status).to.equal(403);
      expect(jsonOf(response).error).to.equal('authorization_error');
      expect(t.services.users.listUsers.called).to.equal(false);
    });
  });

  describe('body', () => {
    it('refuses a non-JSON media type with 415', async () => {
      const response = await t.call('auth.register', {
        headers: { 'content-type': 'text/plain' },
        body: { kind: 'stream', stream: Readable.from([Buffer.from('hello')]) },
      });
      expect(response.status).to.equal(415);
      expect(jsonOf(response).error).to.equal('unsupported_media_type');
    });

    it('accepts application/json with a charset', async () => {
      t.services.users.register.resolves(validUserResult());
      const response = await t.call('auth.register', {
        json: validUser,
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      expect(response.status).to.equal(201);
    });

    it('refuses a declared Content-Length over the limit with 413 before reading', async () => {
      const limited = createTestApi({ bodyLimitBytes: 100 });
      let read = false;
      const stream = new Readable({
        read() {
          read = true;
          this.push(null);
        },
      });
      const response = await limited.call('auth.register', {
        headers: { 'content-type': 'application/json', 'content-length': '101' },
        body: { kind: 'stream', stream },
      });
      await limited.close();
      expect(response.status).to.equal(413);
      expect(jsonOf(response).error).to.equal('request_too_large');
      expect(read).to.equal(false);
    });

    it('stops reading a stream with 413 once it passes the limit', async () => {
      const limited = createTestApi({ bodyLimitBytes: 1000 });
      let pulled = 0;
      const stream = new Readable({
        read() {
          pulled += 1;
          // Endless: only the pipeline stopping can end this request.
          this.push(Buffer.alloc(400, 0x20));
        },
      });
      const response = await limited.call('auth.register', {
        headers: { 'content-type': 'application/json' },
        body: { kind: 'stream', stream },
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await limited.close();
      expect(response.status).to.equal(413);
      // What is pulled after the stop is at most the stream's own read-ahead buffer (16 KiB).
      expect(pulled * 400).to.be.lessThan(1000 + 17 * 1024);
      expect(limited.services.users.register.called).to.equal(false);
    });

    it('answers 400 invalid_json to malformed JSON', async () => {
      const raw = Buffer.from('{"email": ');
      const response = await t.call('auth.register', {
        headers: { 'content-type': 'application/json' },
        body: { kind: 'stream', stream: Readable.from([raw]) },
      });
      expect(response.status).to.equal(400);
      expect(jsonOf(response).error).to.equal('invalid_json');
    });

    it('uses a body the host already parsed as is', async () => {
      t.services.users.register.resolves(validUserResult());
      const response = await t.call('auth.register', {
        headers: { 'content-type': 'application/json' },
        body: { kind: 'parsed', value: validUser },
      });
      expect(response.status).to.equal(201);
      expect(t.services.users.register.firstCall.args[0]).to.include({ email: 'bob@example.com', username: 'bob' });
    });

    it('answers 422 naming body when a body route gets no body', async () => {
      const response = await t.call('auth.register');
      expect(response.status).to.equal(422);
      expect(jsonOf(response).details[0].field).to.equal('body');
    });
  });

  describe('validation', () => {
    it('reports every violation of a bulk body with dotted fields', async () => {
      const response = await t.call('users.bulkCreate', {
        token: 'admin-token',
        json: [validUser, { ...validUser, email: 'not-an-email' }, { ...validUser, password: 'short', username: 'x' }],
      });
      const body = jsonOf(response);
      expect(response.status).to.equal(422);
      expect(body.error).to.equal('validation_error');
      const fields = body.details.map((detail: { field: string }) => detail.field);
      expect(fields).to.have.members(['body.1.email', 'body.2.password', 'body.2.username']);
      for (const detail of body.details) expect(detail.type).to.be.a('string').and.not.empty;
    });

    it('reports path and query violations together', async () => {
      const badQuery = await t.call('users.list', { token: 'admin-token', query: { size: '500', page: '0', is_active: 'yes' } });
      expect(badQuery.status).to.equal(422);
      expect(jsonOf(badQuery).details.map((d: { field: string }) => d.field)).to.have.members([
        'query.size',
        'query.page',
        'query.is_active',
      ]);
      const badPath = await t.call('users.get', { token: 'user-token', params: { id: 'abc' } });
      expect(badPath.status).to.equal(422);
      expect(jsonOf(badPath).details[0].field).to.equal('path.id');
    });

    it('refuses an explicit null on a non-nullable PATCH field', async () => {
      const response = await t.call('users.update', { token: 'user-token', params: { id: '1' }, json: { email: null } });
      expect(response.status).to.equal(422);
      expect(jsonOf(response).details[0].field).to.equal('body.email');
    });
  });

  describe('dispatch', () => {
    it('answers 404 not_found_error for an unknown path', async () => {
      const response = await dispatch(t, buildRequest({ path: '/api/v1/does-not-exist' }));
      expect(response.status).to.equal(404);
      expect(jsonOf(response).error).to.equal('not_found_error');
    });

    it('answers 405 with Allow for a known path, trailing slash or not', async () => {
      for (const path of ['/api/v1/users/5', '/api/v1/users/5/']) {
        const response = await dispatch(t, buildRequest({ method: 'POST', path }));
        expect(response.status).to.equal(405);
        expect(jsonOf(response).error).to.equal('method_not_allowed');
        expect(response.headers['Allow']!.split(', ')).to.have.members(['GET', 'PATCH', 'DELETE']);
      }
    });
  });

  describe('rate limiting', () => {
    it('sends RateLimit-* headers on every response of a limited route, errors included', async () => {
      const response = await t.call('auth.register');
      expect(response.status).to.equal(422);
      expect(response.headers['RateLimit-Limit']).to.equal('5');
      expect(response.headers['RateLimit-Remaining']).to.equal('4');
      expect(Number(response.headers['RateLimit-Reset'])).to.be.within(1, 3600);
      const unlimited = await t.call('auth.sessions.list', { token: 'user-token' });
      expect(unlimited.headers['RateLimit-Limit']).to.equal(undefined);
    });

    it('keys an authenticated route by the user: a second user behind the same IP has a budget of their own', async () => {
      for (let i = 0; i < 30; i += 1) await t.call('auth.me', { token: 'user-token', ip: '198.51.100.9' });
      expect((await t.call('auth.me', { token: 'user-token', ip: '198.51.100.9' })).status).to.equal(429);
      expect((await t.call('auth.me', { token: 'user-token', ip: '203.0.113.1' })).status, 'the same user from elsewhere').to.equal(429);
      const other = await t.call('auth.me', { token: 'admin-token', ip: '198.51.100.9' });
      expect(other.status).to.equal(200);
      expect(other.headers['RateLimit-Remaining']).to.equal('29');
    });

    it('counts nothing for a caller the authentication refused', async () => {
      expect((await t.call('auth.me')).headers['RateLimit-Limit']).to.equal(undefined);
    });

    it('answers 429 with Retry-After past the limit, per route and per client ip', async () => {
      for (let i = 0; i < 5; i += 1) await t.call('auth.register');
      const refused = await t.call('auth.register');
      expect(refused.status).to.equal(429);
      expect(jsonOf(refused).error).to.equal('rate_limit_error');
      expect(Number(refused.headers['Retry-After'])).to.be.within(3500, 3600);
      expect(refused.headers['RateLimit-Remaining']).to.equal('0');
      expect((await t.call('auth.login')).status).to.equal(422);
      expect((await t.call('auth.register', { ip: '203.0.113.50' })).status).to.equal(422);
    });

    it('never keys on X-Forwarded-For', async () => {
      for (let i = 0; i < 5; i += 1) {
        await t.call('auth.register', { headers: { 'x-forwarded-for': `10.0.0.${i}` } });
      }
      const refused = await t.call('auth.register', { headers: { 'x-forwarded-for': '10.9.9.9' } });
      expect(refused.status).to.equal(429);
    });
  });

  describe('cache', () => {
    it('says on GET /auth/me whether authentication came from the session lookup cache', async () => {
      const miss = await t.call('auth.me', { token: 'user-token' });
      t.services.auth.authenticate.withArgs('user-token').resolves({ ...aliceAuth, cached: true });
      const hit = await t.call('auth.me', { token: 'user-token' });
      expect([miss.headers['X-Cache'], hit.headers['X-Cache']]).to.deep.equal(['MISS', 'HIT']);
      expect(jsonOf(hit)).to.deep.equal(jsonOf(miss));
    });

    it('serves a cached user only to a caller allowed to read it', async () => {
      t.services.users.getUser.resolves({ ...aliceWithId(5) });
      const miss = await t.call('users.get', { token: 'admin-token', params: { id: '5' } });
      const hit = await t.call('users.get', { token: 'admin-token', params: { id: '5' } });
      expect([miss.headers['X-Cache'], hit.headers['X-Cache']]).to.deep.equal(['MISS', 'HIT']);
      expect(t.services.users.getUser.calledOnce).to.equal(true);

      t.services.users.getUser.rejects(new AppError('authorization_error', 'Not enough permissions'));
      const stranger = await t.call('users.get', { token: 'user-token', params: { id: '5' } });
      expect(stranger.status).to.equal(403);
      expect(stranger.headers['X-Cache']).to.equal(undefined);
    });

    it('treats a cache outage as a miss', async () => {
      t.cache.getVersioned = async () => {
        throw new Error('redis down');
      };
      t.services.users.getUser.resolves({ ...aliceWithId(5) });
      const response = await t.call('users.get', { token: 'admin-token', params: { id: '5' } });
      expect(response.status).to.equal(200);
      expect(response.headers['X-Cache']).to.equal('MISS');
    });
  });

  describe('timeout', () => {
    it('answers 504 at once and aborts the signal the unit of work reads', async () => {
      const slow = createTestApi({ requestTimeoutMs: 100 });
      let signal: AbortSignal | undefined;
      slow.services.users.listUsers.callsFake(() => {
        signal = slow.executionContext.signal;
        return new Promise(() => undefined);
      });
      // The handler never settles, so any answer at all is the deadline's, not the work's.
      const response = await slow.call('users.list', { token: 'admin-token' });
      await slow.close();
      expect(response.status).to.equal(504);
      expect(jsonOf(response)).to.include({ error: 'request_timeout', message: 'Request exceeded 0.1s timeout' });
      expect(signal?.aborted).to.equal(true);
    });

  });
});

function validUserResult() {
  return aliceWithId(3);
}

function aliceWithId(id: number) {
  const at = new Date('2026-01-15T10:30:00.000Z');
  return { id, email: 'bob@example.com', username: 'bob', full_name: null, is_active: true, is_superuser: false, email_verified: false, created_at: at, updated_at: at };
}
