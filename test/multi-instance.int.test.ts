import { randomBytes, randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { expect } from 'chai';
import express from 'express';
import Koa from 'koa';
import { after, before, describe, it } from 'mocha';
import request from 'supertest';
import { createConsoleLogger, createCore, type Core, type CoreOptions } from '@app/core';
import { testDatabaseTargets, type TestDatabase } from '@app/core/testing';
import { createExpressRouter } from '@app/express';
import { createKoaRouter } from '@app/koa';

const databaseUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;

// Two instances of one service: one PostgreSQL database, one Redis with the same key prefix,
// the same signing key; one served by Express, the other by Koa.
if (databaseUrl && redisUrl) {
  describe('two instances behind one database and one Redis', function () {
    this.timeout(30_000);
    let database: TestDatabase;
    const cores: Core[] = [];
    let expressHost: RequestListener;
    let koaHost: RequestListener;
    const clientIp = `198.51.100.${1 + Math.floor(Math.random() * 250)}`;

    before(async () => {
      const postgres = testDatabaseTargets().find((target) => target.name === 'postgres');
      database = await postgres!.create();
      const shared: CoreOptions = {
        environment: 'test',
        database: { url: database.url },
        redis: { url: redisUrl, keyPrefix: `multi:${randomUUID()}:` },
        secretKey: randomBytes(32).toString('hex'),
        bcryptRounds: 4,
        logger: createConsoleLogger({ level: 'warn' }),
      };
      cores.push(await createCore({ ...shared, migrate: true }));
      cores.push(await createCore(shared));
      expressHost = express().set('trust proxy', true).use(createExpressRouter(cores[0]));
      const koa = new Koa();
      koa.proxy = true;
      koa.use(createKoaRouter(cores[1]).routes());
      koaHost = koa.callback();
    });

    after(async () => {
      await Promise.all(cores.map((core) => core.close()));
      await database?.drop();
    });

    const newUser = async (name: string) => {
      const password = 'password-123';
      await cores[0].services.users.createUser({ email: `${name}@example.com`, username: name, password });
      return { username: name, password };
    };

    it('shares the login rate limit: 10 logins split across both hosts, the 11th is 429 on either', async () => {
      const credentials = await newUser('multilimit');
      for (let attempt = 0; attempt < 10; attempt += 1) {
        const host = attempt % 2 === 0 ? expressHost : koaHost;
        const res = await request(host).post('/api/v1/auth/login').set('X-Forwarded-For', clientIp).send(credentials);
        expect(res.status, `login ${attempt + 1}`).to.equal(200);
        expect(Number(res.headers['ratelimit-remaining'])).to.equal(9 - attempt);
      }
      for (const host of [expressHost, koaHost]) {
        const res = await request(host).post('/api/v1/auth/login').set('X-Forwarded-For', clientIp).send(credentials);
        expect(res.status).to.equal(429);
        expect(res.body.error).to.equal('rate_limit_error');
        expect(Number(res.headers['retry-after'])).to.be.greaterThan(0);
      }
    });

    it('refuses on one host, at once, a token logged out on the other', async () => {
      const credentials = await newUser('multilogout');
      const login = await request(expressHost).post('/api/v1/auth/login').send(credentials);
      const auth = `Bearer ${login.body.access_token}`;
      expect((await request(expressHost).get('/api/v1/auth/me').set('Authorization', auth)).status).to.equal(200);
      expect((await request(expressHost).get('/api/v1/auth/me').set('Authorization', auth)).headers['x-cache']).to.equal('HIT');
      expect((await request(koaHost).get('/api/v1/auth/me').set('Authorization', auth)).status).to.equal(200);
      expect((await request(koaHost).post('/api/v1/auth/logout').set('Authorization', auth)).status).to.equal(204);
      const refused = await request(expressHost).get('/api/v1/auth/me').set('Authorization', auth);
      expect(refused.status).to.equal(401);
      expect(refused.body.error).to.equal('authentication_error');
    });

    it('serves one host fresh data after an update made on the other (shared cache invalidation)', async () => {
      const { user } = await cores[0].services.users.ensureSuperuser({ email: 'multiadmin@example.com', username: 'multiadmin', password: 'password-123' });
      const login = await request(koaHost).post('/api/v1/auth/login').send({ username: 'multiadmin', password: 'password-123' });
      const auth = `Bearer ${login.body.access_token}`;
      const path = `/api/v1/users/${user.id}`;
      await request(expressHost).get(path).set('Authorization', auth);
      expect((await request(expressHost).get(path).set('Authorization', auth)).headers['x-cache']).to.equal('HIT');
      expect((await request(koaHost).patch(path).set('Authorization', auth).send({ full_name: 'Renamed On Koa' })).status).to.equal(200);
      const fresh = await request(expressHost).get(path).set('Authorization', auth);
      expect(fresh.headers['x-cache']).to.equal('MISS');
      expect(fresh.body.full_name).to.equal('Renamed On Koa');
    });
  });
}
