import { expect } from 'chai';
import express from 'express';
import { describe, it } from 'mocha';
import request from 'supertest';
import { runConformanceSuite, useTestCore } from '@app/core/testing';
import { createExpressGuard, createExpressRouter } from '../src/index';

// The suite sets X-Forwarded-For per test; trusting it is the host's decision.
runConformanceSuite({
  name: '@app/express',
  mount: (core) => express().set('trust proxy', true).use(createExpressRouter(core)),
  mountAt: (core, path) => express().set('trust proxy', true).use(path, createExpressRouter(core)),
  guarded: (core, level) =>
    express().get('/whoami', createExpressGuard(core, level), (req, res) => {
      res.json({ user_id: req.auth!.user.id, username: req.auth!.user.username, session_id: req.auth!.session.id });
    }),
});

describe('createExpressRouter', () => {
  const fixture = useTestCore();
  const registration = (name: string) => ({ email: `${name}@example.com`, username: name, password: 'password-123' });

  it('reuses a JSON body the host already parsed with express.json(), and still answers 415 to other types', async () => {
    const app = express().use(express.json()).use(createExpressRouter(fixture.core));
    const res = await request(app).post('/api/v1/auth/register').send(registration('hostparsed'));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.username).to.equal('hostparsed');
    const text = await request(app).post('/api/v1/auth/register').set('Content-Type', 'text/plain').send('{}');
    expect(text.status).to.equal(415);
  });

  it('changes no setting of the host and adds exactly the one router it is given', async () => {
    const app = express();
    const settings = { ...app.settings };
    const router = createExpressRouter(fixture.core);
    expect(app.settings).to.deep.equal(settings);
    app.use(router);
    await request(app).get('/health');
    expect(app.settings).to.deep.equal(settings);
    expect(app.router.stack).to.have.length(1);
  });

  it('leaves paths outside its routes and prefix to the host', async () => {
    const app = express().use(createExpressRouter(fixture.core));
    app.get('/elsewhere', (_req, res) => {
      res.send('host');
    });
    expect((await request(app).get('/elsewhere')).text).to.equal('host');
    expect((await request(app).get('/api/v1x')).status).to.equal(404);
    expect((await request(app).get('/api/v1x')).body.error).to.equal(undefined);
  });

  it('works mounted under a sub-path of the host, also inside a host router', async () => {
    const app = express().use('/identity', express.Router().use('/v2', createExpressRouter(fixture.core)));
    expect((await request(app).get('/identity/v2/health')).status).to.equal(200);
    expect((await request(app).get('/identity/v2/api/v1/openapi.json')).body.servers).to.deep.equal([{ url: '/identity/v2' }]);
    expect((await request(app).put('/identity/v2/api/v1/users/1')).status).to.equal(405);
  });

  it('works mounted under a sub-path of the host', async () => {
    const app = express().use('/identity', createExpressRouter(fixture.core));
    expect((await request(app).get('/identity/health')).status).to.equal(200);
    expect((await request(app).get('/identity/api/v1/nope')).body.error).to.equal('not_found_error');
    const wrongMethod = await request(app).put('/identity/api/v1/users/1');
    expect(wrongMethod.status).to.equal(405);
    expect(wrongMethod.headers.allow).to.include('PATCH');
  });

  it('ignores X-Forwarded-For when the host does not trust proxies', async () => {
    const app = express().use(createExpressRouter(fixture.core));
    const name = 'notrusted';
    await request(app).post('/api/v1/auth/register').send(registration(name));
    const login = await request(app).post('/api/v1/auth/login').set('X-Forwarded-For', '203.0.113.99').send({ username: name, password: 'password-123' });
    const sessions = await request(app).get('/api/v1/auth/sessions').set('Authorization', `Bearer ${login.body.access_token}`);
    expect(sessions.body[0].ip_address).to.not.equal('203.0.113.99');
    expect(sessions.body[0].ip_address).to.match(/127\.0\.0\.1|::1/);
  });
});
