import { expect } from 'chai';
import { before, describe, it } from 'mocha';
import type { Response } from 'supertest';
import { expectError } from './assertions';
import { uniqueName, type Harness, type SignedInUser, type TestClient } from './harness';

interface LimitedRoute {
  name: string;
  limit: number;
  /** A request that passes the route's checks (so only the limiter can refuse it). */
  send(client: TestClient, attempt: number): Promise<Response>;
  /** The route's success status. */
  ok: number;
}

/**
 * The per-client limits of docs/reference/routes.md (their real numbers: every test uses clients of its own, so
 * buckets are fresh), the RateLimit-* headers, Retry-After, and the login lockout. A client
 * is an IP on public routes and a user on authenticated ones (their limits are keyed by the
 * user), so each test client gets a superuser of its own there.
 */
export function rateLimitSuite(h: Harness): void {
  const admins = new Map<string, Promise<SignedInUser>>();
  const adminOf = (client: TestClient) => {
    if (!admins.has(client.ip)) admins.set(client.ip, h.signIn({ superuser: true }));
    return admins.get(client.ip)!;
  };

  const routes: LimitedRoute[] = [
    {
      name: 'POST /auth/register',
      limit: 5,
      ok: 201,
      send: async (client) => {
        const name = uniqueName('rl');
        return client.post(h.api('/auth/register'), { email: `${name}@example.com`, username: name, password: 'password-123' });
      },
    },
    {
      name: 'POST /auth/login',
      limit: 10,
      ok: 200,
      send: async (client) => {
        const { user, password } = await h.createUser();
        return client.post(h.api('/auth/login'), { username: user.username, password });
      },
    },
    {
      name: 'GET /auth/me',
      limit: 30,
      ok: 200,
      send: async (client) => client.withToken((await adminOf(client)).token).get(h.api('/auth/me')),
    },
    {
      name: 'GET /users/:id',
      limit: 20,
      ok: 200,
      send: async (client) => {
        const admin = await adminOf(client);
        return client.withToken(admin.token).get(h.api(`/users/${admin.user.id}`));
      },
    },
    {
      name: 'PATCH /users/:id',
      limit: 10,
      ok: 200,
      send: async (client, attempt) => {
        const admin = await adminOf(client);
        return client.withToken(admin.token).patch(h.api(`/users/${admin.user.id}`), { full_name: `Admin ${attempt}` });
      },
    },
    {
      name: 'DELETE /users/:id',
      limit: 5,
      ok: 204,
      send: async (client) => {
        const { user } = await h.createUser();
        return client.withToken((await adminOf(client)).token).delete(h.api(`/users/${user.id}`));
      },
    },
  ];

  describe('per-client rate limits', () => {
    for (const route of routes) {
      it(`${route.name}: ${route.limit} pass with RateLimit-* headers, the next is 429 with Retry-After`, async () => {
        const client = h.client();
        for (let attempt = 1; attempt <= route.limit; attempt += 1) {
          const res = await route.send(client, attempt);
          expect(res.status, `attempt ${attempt}: ${JSON.stringify(res.body)}`).to.equal(route.ok);
          expectRateLimitHeaders(res, route.limit, route.limit - attempt);
        }
        const refused = await route.send(client, route.limit + 1);
        expectError(refused, 429, 'rate_limit_error');
        expectRateLimitHeaders(refused, route.limit, 0);
        const other = await route.send(h.client(), 1);
        expect(other.status, 'another client keeps its own bucket').to.equal(route.ok);
      });
    }

    it('gives each route its own bucket', async () => {
      const anonymous = h.client();
      const admin = await adminOf(anonymous);
      const client = anonymous.withToken(admin.token);
      for (let i = 0; i < 30; i += 1) await client.get(h.api('/auth/me'));
      expectError(await client.get(h.api('/auth/me')), 429, 'rate_limit_error');
      expect((await client.get(h.api(`/users/${admin.user.id}`))).status).to.equal(200);
    });

    it('keys authenticated routes by the user: a second user behind the same IP keeps a budget of their own', async () => {
      const shared = h.client();
      const first = await h.signIn();
      const second = await h.signIn();
      for (let i = 0; i < 30; i += 1) expect((await shared.withToken(first.token).get(h.api('/auth/me'))).status).to.equal(200);
      expectError(await shared.withToken(first.token).get(h.api('/auth/me')), 429, 'rate_limit_error');
      const other = await shared.withToken(second.token).get(h.api('/auth/me'));
      expect(other.status, 'the second user behind the same IP').to.equal(200);
      expectRateLimitHeaders(other, 30, 29);
      const elsewhere = await h.client().withToken(first.token).get(h.api('/auth/me'));
      expectError(elsewhere, 429, 'rate_limit_error');
    });

    it('keys public routes by the client IP, whoever sends them', async () => {
      const shared = h.client();
      const caller = await h.signIn();
      for (let i = 0; i < 5; i += 1) {
        const name = uniqueName('ip');
        const res = await shared.withToken(i % 2 ? caller.token : undefined).post(h.api('/auth/register'), { email: `${name}@example.com`, username: name, password: 'password-123' });
        expect(res.status).to.equal(201);
      }
      const name = uniqueName('ip');
      expectError(await shared.post(h.api('/auth/register'), { email: `${name}@example.com`, username: name, password: 'password-123' }), 429, 'rate_limit_error');
    });
  });

  describe('login lockout', () => {
    it('delays an (account, client) pair with 429 after 5 failures, right password too; another client logs in', async () => {
      const { user, password } = await h.createUser();
      const failures = h.core.config.loginLockout.maxFailures;
      const attacker = h.client();
      for (let i = 0; i < failures; i += 1) {
        const res = await attacker.post(h.api('/auth/login'), { username: user.username, password: 'wrong password' });
        expectError(res, 401, 'authentication_error');
      }
      const locked = await attacker.post(h.api('/auth/login'), { username: user.username, password });
      expectError(locked, 429, 'rate_limit_error');
      const byEmail = await attacker.post(h.api('/auth/login'), { email: user.email, password });
      expectError(byEmail, 429, 'rate_limit_error');
      const owner = await h.client().post(h.api('/auth/login'), { username: user.username, password });
      expect(owner.status, 'the same account from another client').to.equal(200);
    });

    it('answers an unknown identifier with the same 429 as an existing account', async () => {
      const { user } = await h.createUser();
      const lockedBody = async (username: string) => {
        const client = h.client();
        for (let i = 0; i < h.core.config.loginLockout.maxFailures; i += 1) {
          await client.post(h.api('/auth/login'), { username, password: 'wrong password' });
        }
        const res = await client.post(h.api('/auth/login'), { username, password: 'wrong password' });
        const body = expectError(res, 429, 'rate_limit_error');
        // The delay is the same for both; it is read a moment after the lock, so only its bound is compared.
        expect(Number(res.headers['retry-after'])).to.be.within(1, h.core.config.loginLockout.baseDelaySeconds);
        return { error: body.error, message: body.message, details: body.details };
      };
      expect(await lockedBody(uniqueName('ghost'))).to.deep.equal(await lockedBody(user.username));
    });
  });
}

function expectRateLimitHeaders(res: Response, limit: number, remaining: number): void {
  expect(Number(res.headers['ratelimit-limit']), 'RateLimit-Limit').to.equal(limit);
  expect(Number(res.headers['ratelimit-remaining']), 'RateLimit-Remaining').to.equal(remaining);
  const reset = Number(res.headers['ratelimit-reset']);
  expect(reset, 'RateLimit-Reset (seconds)').to.be.a('number').and.be.greaterThan(0);
}
