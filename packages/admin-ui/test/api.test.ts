import { expect } from 'chai';
import { ApiClient, ApiError, apiUrl } from '../app/lib/api';

type Call = { url: string; method: string; auth?: string; body?: unknown };

/** A fake server: answers by a function of the call, records every call. */
function fakeFetch(answer: (call: Call) => { status: number; body?: unknown; headers?: Record<string, string> }) {
  const calls: Call[] = [];
  const fetchImpl = async (url: string, init: RequestInit = {}) => {
    const headers = (init.headers ?? {}) as Record<string, string>;
    const call = { url, method: init.method ?? 'GET', auth: headers.Authorization, body: init.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    const { status, body, headers: extra } = answer(call);
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...extra } });
  };
  return { calls, fetchImpl };
}

/** The server's 401 for a refused access token (docs/reference/errors.md), and for any other reason. */
const refused = (message: string, extra: Record<string, unknown> = {}) => ({
  status: 401,
  body: { error: 'authentication_error', message, details: [], ...extra },
  headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
});
const notRefused = (message: string) => ({ status: 401, body: { error: 'authentication_error', message, details: [] }, headers: { 'WWW-Authenticate': 'Bearer' } });

const token = (access: string, refresh?: string) => ({ access_token: access, token_type: 'bearer', expires_in: 900, ...(refresh ? { refresh_token: refresh } : {}) });

describe('ApiClient', () => {
  it('sends the bearer token from memory and leaves out empty query values', async () => {
    const server = fakeFetch((call) => (call.url.endsWith('/auth/login') ? { status: 200, body: token('A1') } : { status: 200, body: { items: [] } }));
    const api = new ApiClient('/api/v1', server.fetchImpl);
    await api.login('root', 'pw');
    await api.request('GET', '/users', { query: { page: 2, search: '', is_active: undefined } });
    expect(server.calls[1]).to.include({ url: '/api/v1/users?page=2', auth: 'Bearer A1' });
  });

  it('refreshes once on a 401 when the login gave a refresh token, sharing one rotation between parallel calls', async () => {
    let access = 'A1';
    const server = fakeFetch((call) => {
      if (call.url.endsWith('/auth/login')) return { status: 200, body: token('A1', 'R1') };
      if (call.url.endsWith('/auth/refresh')) {
        access = 'A2';
        return { status: 200, body: token('A2', 'R2') };
      }
      return call.auth === `Bearer ${access}` && access === 'A2' ? { status: 200, body: { ok: true } } : refused('Token has expired');
    });
    const api = new ApiClient('/api/v1', server.fetchImpl);
    await api.login('root', 'pw');
    const results = await Promise.all([api.request('GET', '/a'), api.request('GET', '/b')]);
    expect(results).to.deep.equal([{ ok: true }, { ok: true }]);
    const refreshes = server.calls.filter((call) => call.url.endsWith('/auth/refresh'));
    expect(refreshes).to.have.length(1);
    expect(refreshes[0]!.body).to.deep.equal({ refresh_token: 'R1' });
  });

  it('without a refresh token, a 401 signs the page out and throws the envelope', async () => {
    const server = fakeFetch((call) =>
      call.url.endsWith('/auth/login') ? { status: 200, body: token('A1') } : refused('Session is not active', { request_id: 'r-1' }),
    );
    const api = new ApiClient('/api/v1', server.fetchImpl);
    let told = '';
    api.onSignedOut = (message) => (told = message);
    await api.login('root', 'pw');
    const error = await api.request('GET', '/users').catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(ApiError).and.include({ status: 401, code: 'authentication_error', requestId: 'r-1' });
    expect(told).to.match(/Sign in again/);
    expect(api.signedIn).to.equal(false);
  });

  it('answers a 401 that did not refuse the token (a wrong current password) at once: no refresh, still signed in', async () => {
    const server = fakeFetch((call) => {
      if (call.url.endsWith('/auth/login')) return { status: 200, body: token('A1', 'R1') };
      if (call.url.endsWith('/auth/refresh')) return { status: 200, body: token('A2', 'R2') };
      return notRefused('Current password is incorrect');
    });
    const api = new ApiClient('/api/v1', server.fetchImpl);
    let told = '';
    api.onSignedOut = (message) => (told = message);
    await api.login('root', 'pw');
    const body = { current_password: 'wrong-password-1', new_password: 'new-password-12' };
    const error = await api.request('POST', '/auth/change-password', { body }).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(ApiError).and.include({ status: 401, code: 'authentication_error', message: 'Current password is incorrect' });
    expect(server.calls.map((call) => call.url)).to.deep.equal(['/api/v1/auth/login', '/api/v1/auth/change-password']);
    expect([told, api.signedIn]).to.deep.equal(['', true]);
  });
});

describe('ApiError', () => {
  it('maps body.<field> details to field messages, one level at a time', () => {
    const error = new ApiError(422, 'validation_error', 'Invalid', [
      { message: 'too short', field: 'body.password' },
      { message: 'not an email', field: 'body.email' },
      { message: 'also bad', field: 'body.email' },
      { message: 'row', field: 'body.3.email' },
    ]);
    expect(error.fieldErrors()).to.deep.equal({ password: 'too short', email: 'not an email; also bad', '3.email': 'row' });
    expect(error.fieldErrors('body.3')).to.deep.equal({ email: 'row' });
  });
});

describe('apiUrl', () => {
  it('keeps the base as the server rendered it', () => {
    expect(apiUrl('/mnt/api/v1', '/users', { a: 'x y' })).to.equal('/mnt/api/v1/users?a=x+y');
  });
});
