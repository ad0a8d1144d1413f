import { randomBytes, randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { expect } from 'chai';
import express from 'express';
import { Redis } from 'ioredis';
import { after, before, describe, it } from 'mocha';
import request from 'supertest';
import { createCore, silentLogger, type Core, type CoreOptions, type MailMessage } from '@app/core';
import { testDatabaseTargets, waitFor, type TestDatabase } from '@app/core/testing';
import { createExpressRouter } from '@app/express';

const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;

// The authenticated lookup (session + user) is cached in Redis; every way a token can stop
// being good must still refuse it at once on the OTHER instance, whose lookup is cached.
if (databaseUrl && redisUrl) {
  describe('the cached session lookup, revoked on one instance, refused at once on the other', function () {
    this.timeout(60_000);
    let database: TestDatabase;
    const cores: Core[] = [];
    const hosts: RequestListener[] = [];
    let redis: Redis;
    const keyPrefix = `lookup:${randomUUID()}:`;
    const mail: MailMessage[] = [];
    let admin: string;
    let counter = 0;

    before(async () => {
      const postgres = testDatabaseTargets().find((target) => target.name === 'postgres');
      database = await postgres!.create();
      const shared: CoreOptions = {
        environment: 'test',
        database: { url: database.url },
        redis: { url: redisUrl, keyPrefix },
        secretKey: randomBytes(32).toString('hex'),
        bcryptRounds: 4,
        limiterEnabled: false,
        logger: silentLogger,
        mailer: { send: async (message: MailMessage) => void mail.push(message) },
      };
      cores.push(await createCore({ ...shared, migrate: true }));
      cores.push(await createCore(shared));
      for (const core of cores) hosts.push(express().use(createExpressRouter(core)));
      redis = new Redis(redisUrl);
      await cores[0]!.services.users.ensureSuperuser({ email: 'lookupadmin@example.com', username: 'lookupadmin', password: 'password-123' });
      admin = (await login(hosts[0]!, 'lookupadmin')).access_token;
    });

    after(async () => {
      await Promise.all(cores.map((core) => core.close()));
      await redis?.quit();
      await database?.drop();
    });

    const [A, B] = [0, 1];
    const host = (index: number) => hosts[index]!;
    const bearer = (token: string) => `Bearer ${token}`;

    async function login(on: RequestListener, username: string, password = 'password-123') {
      const res = await request(on).post('/api/v1/auth/login').send({ username, password });
      expect(res.status, `login ${username}`).to.equal(200);
      return res.body as { access_token: string; refresh_token: string };
    }

    async function newUser() {
      counter += 1;
      const username = `lookup${counter}`;
      const user = await cores[0]!.services.users.createUser({ email: `${username}@example.com`, username, password: 'password-123' });
      return { user, username };
    }

    const sessionIdOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid as string | number;

    /** Calls /auth/me on B until its lookup of this token's session is in Redis. */
    async function cacheLookupOnB(token: string) {
      const pattern = `${keyPrefix}cache:auth:session:${sessionIdOf(token)}@*`;
      const res = await request(host(B)).get('/api/v1/auth/me').set('Authorization', bearer(token));
      expect(res.status).to.equal(200);
      await waitFor(async () => (await redis.keys(pattern)).length > 0, { message: 'the lookup is cached' });
    }

    async function meOnB(token: string) {
      return request(host(B)).get('/api/v1/auth/me').set('Authorization', bearer(token));
    }

    it('caches the lookup and still serves it: a second request on B needs no revocation to pass', async () => {
      const { username } = await newUser();
      const { access_token } = await login(host(A), username);
      await cacheLookupOnB(access_token);
      expect((await meOnB(access_token)).status).to.equal(200);
    });

    it('logout', async () => {
      const { username } = await newUser();
      const { access_token } = await login(host(A), username);
      await cacheLookupOnB(access_token);
      expect((await request(host(A)).post('/api/v1/auth/logout').set('Authorization', bearer(access_token))).status).to.equal(204);
      expect((await meOnB(access_token)).status).to.equal(401);
    });

    it('logout-all', async () => {
      const { username } = await newUser();
      const first = await login(host(A), username);
      const second = await login(host(A), username);
      await cacheLookupOnB(second.access_token);
      expect((await request(host(A)).post('/api/v1/auth/logout-all').set('Authorization', bearer(first.access_token))).status).to.be.oneOf([200, 204]);
      expect((await meOnB(second.access_token)).status).to.equal(401);
    });

    it('a password change ends the other sessions', async () => {
      const { username } = await newUser();
      const changer = await login(host(A), username);
      const other = await login(host(A), username);
      await cacheLookupOnB(other.access_token);
      const res = await request(host(A))
        .post('/api/v1/auth/change-password')
        .set('Authorization', bearer(changer.access_token))
        .send({ current_password: 'password-123', new_password: 'another-password-456' });
      expect(res.status).to.equal(204);
      expect((await meOnB(other.access_token)).status).to.equal(401);
    });

    it('a password reset ends every session', async () => {
      const { username } = await newUser();
      const { access_token } = await login(host(A), username);
      await cacheLookupOnB(access_token);
      expect((await request(host(A)).post('/api/v1/auth/password-reset/request').send({ email: `${username}@example.com` })).status).to.be.within(200, 204);
      await waitFor(() => mail.some((message) => message.to === `${username}@example.com` && message.kind === 'password_reset'), { message: 'the reset mail' });
      const text = mail.find((message) => message.to === `${username}@example.com` && message.kind === 'password_reset')!.text;
      const token = /token=([A-Za-z0-9_.~-]+)/.exec(text)![1]!;
      const confirmed = await request(host(A)).post('/api/v1/auth/password-reset/confirm').send({ token, new_password: 'reset-password-789' });
      expect(confirmed.status).to.be.within(200, 204);
      expect((await meOnB(access_token)).status).to.equal(401);
    });

    it('deactivation', async () => {
      const { user, username } = await newUser();
      const { access_token } = await login(host(A), username);
      await cacheLookupOnB(access_token);
      expect((await request(host(A)).patch(`/api/v1/users/${user.id}`).set('Authorization', bearer(admin)).send({ is_active: false })).status).to.equal(200);
      const refused = await meOnB(access_token);
      expect([refused.status, refused.body.error]).to.deep.equal([403, 'inactive_user']);
    });

    it('delete', async () => {
      const { user, username } = await newUser();
      const { access_token } = await login(host(A), username);
      await cacheLookupOnB(access_token);
      expect((await request(host(A)).delete(`/api/v1/users/${user.id}`).set('Authorization', bearer(admin))).status).to.equal(204);
      expect((await meOnB(access_token)).status).to.equal(401);
    });

    it('promote and demote take effect at once on superuser routes', async () => {
      const { user, username } = await newUser();
      const { access_token } = await login(host(A), username);
      const list = () => request(host(B)).get('/api/v1/users').set('Authorization', bearer(access_token));
      await cacheLookupOnB(access_token);
      expect((await list()).status).to.equal(403);
      expect((await request(host(A)).patch(`/api/v1/users/${user.id}`).set('Authorization', bearer(admin)).send({ is_superuser: true })).status).to.equal(200);
      expect((await list()).status).to.equal(200);
      await cacheLookupOnB(access_token);
      expect((await request(host(A)).patch(`/api/v1/users/${user.id}`).set('Authorization', bearer(admin)).send({ is_superuser: false })).status).to.equal(200);
      expect((await list()).status).to.equal(403);
    });

    it('a reused refresh token ends its session', async () => {
      const { username } = await newUser();
      const first = await login(host(A), username);
      const refresh = (token: string) => request(host(A)).post('/api/v1/auth/refresh').send({ refresh_token: token });
      const second = (await refresh(first.refresh_token)).body as { access_token: string; refresh_token: string };
      const third = (await refresh(second.refresh_token)).body as { access_token: string };
      await cacheLookupOnB(third.access_token);
      expect((await refresh(first.refresh_token)).status).to.equal(401); // older than the previous: reuse
      expect((await meOnB(third.access_token)).status).to.equal(401);
    });

    it('an admin ending the user’s sessions', async () => {
      const { user, username } = await newUser();
      const { access_token } = await login(host(A), username);
      await cacheLookupOnB(access_token);
      expect((await request(host(A)).delete(`/api/v1/users/${user.id}/sessions`).set('Authorization', bearer(admin))).status).to.be.oneOf([200, 204]);
      expect((await meOnB(access_token)).status).to.equal(401);
    });
  });
}
