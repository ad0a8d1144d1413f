import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import request from 'supertest';
import { runConformanceSuite, useTestCore } from '@app/core/testing';
import { createKoaGuard, createKoaRouter } from '../src/index';

const trusting = () => {
  const app = new Koa();
  app.proxy = true;
  return app;
};

// The suite sets X-Forwarded-For per test; trusting it is the host's decision.
runConformanceSuite({
  name: '@app/koa',
  mount: (core) => trusting().use(createKoaRouter(core).routes()).callback(),
  // Nested in a host router, the case where @koa/router itself used to answer 404 for a 405.
  mountAt: (core, path) => trusting().use(new Router().use(path, createKoaRouter(core).routes()).routes()).callback(),
  guarded: (core, level) => {
    const router = new Router().get('/whoami', createKoaGuard(core, level), (ctx) => {
      const auth = ctx.state.auth!;
      ctx.body = { user_id: auth.user.id, username: auth.user.username, session_id: auth.session.id };
    });
    return trusting().use(router.routes()).callback();
  },
});

/** A minimal host JSON parser, as koa-bodyparser would be: it reads only JSON bodies. */
const jsonParser: Middleware = async (ctx, next) => {
  if (ctx.is('application/json')) {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    (ctx.request as { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } else {
    // Like koa-bodyparser: an unhandled type gets `{}` without its stream being read.
    (ctx.request as { body?: unknown }).body = {};
  }
  await next();
};

describe('createKoaRouter', () => {
  const fixture = useTestCore();
  const registration = (name: string) => ({ email: `${name}@example.com`, username: name, password: 'password-123' });

  it('reuses a JSON body a host parser already read, and still answers 415 to other types', async () => {
    const app = new Koa();
    app.use(jsonParser).use(createKoaRouter(fixture.core).routes());
    const res = await request(app.callback()).post('/api/v1/auth/register').send(registration('hostparsed'));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.username).to.equal('hostparsed');
    const text = await request(app.callback()).post('/api/v1/auth/register').set('Content-Type', 'text/plain').send('{}');
    expect(text.status).to.equal(415);
  });

  it('changes no setting of the host and adds exactly the one middleware it is given', async () => {
    const app = new Koa();
    const before = { proxy: app.proxy, env: app.env, subdomainOffset: app.subdomainOffset, context: Object.keys(app.context) };
    app.use(createKoaRouter(fixture.core).routes());
    await request(app.callback()).get('/health');
    expect({ proxy: app.proxy, env: app.env, subdomainOffset: app.subdomainOffset, context: Object.keys(app.context) }).to.deep.equal(before);
    expect(app.middleware).to.have.length(1);
  });

  it('leaves paths outside its routes and prefix to the host, and adds no allowedMethods of its own', async () => {
    const app = new Koa();
    app.use(createKoaRouter(fixture.core).routes());
    app.use((ctx) => {
      ctx.body = 'host';
    });
    expect((await request(app.callback()).get('/elsewhere')).text).to.equal('host');
    expect((await request(app.callback()).get('/api/v1x')).text).to.equal('host');
    const wrongMethod = await request(app.callback()).delete('/api/v1/auth/login');
    expect(wrongMethod.status).to.equal(405);
    expect(wrongMethod.body.error).to.equal('method_not_allowed');
  });

  it('serves from a router prefix, with 404/405 under it and other paths left to the host', async () => {
    const app = new Koa();
    app.use(createKoaRouter(fixture.core).prefix('/auth').routes());
    app.use((ctx) => {
      ctx.body = 'host';
    });
    const server = app.callback();
    expect((await request(server).get('/auth/health')).body.status).to.equal('healthy');
    const wrong = await request(server).put('/auth/api/v1/users/1');
    expect(wrong.status).to.equal(405);
    expect(wrong.headers.allow).to.include('PATCH');
    expect((await request(server).get('/auth/api/v1/nope')).body.error).to.equal('not_found_error');
    expect((await request(server).get('/auth/elsewhere')).text).to.equal('host');
    expect((await request(server).get('/api/v1/auth/me')).text).to.equal('host');
    expect((await request(server).get('/auth/api/v1/openapi.json')).body.servers).to.deep.equal([{ url: '/auth' }]);
  });

  it('ignores X-Forwarded-For when the host does not trust proxies', async () => {
    const app = new Koa();
    app.use(createKoaRouter(fixture.core).routes());
    const server = app.callback();
    const name = 'notrusted';
    await request(server).post('/api/v1/auth/register').send(registration(name));
    const login = await request(server).post('/api/v1/auth/login').set('X-Forwarded-For', '203.0.113.99').send({ username: name, password: 'password-123' });
    const sessions = await request(server).get('/api/v1/auth/sessions').set('Authorization', `Bearer ${login.body.access_token}`);
    expect(sessions.body[0].ip_address).to.not.equal('203.0.113.99');
    expect(sessions.body[0].ip_address).to.match(/127\.0\.0\.1|::1/);
  });
});
