import { expect } from 'chai';
import Fastify from 'fastify';
import { describe, it } from 'mocha';
import request from 'supertest';
import { useTestCore } from '@app/core/testing';
import { corePlugin, createFastifyGuard } from '../src/index';

describe('corePlugin', () => {
  const fixture = useTestCore();
  const registration = (name: string) => ({ email: `${name}@example.com`, username: name, password: 'password-123' });

  it('keeps its content-type parsing inside the plugin: the host\'s JSON routes still get parsed bodies', async () => {
    const app = Fastify();
    app.post('/echo', async (req) => ({ got: req.body }));
    await app.register(corePlugin, { core: fixture.core });
    await app.ready();
    expect(app.hasContentTypeParser('application/json')).to.equal(true);
    const echo = await request(app.server).post('/echo').send({ a: 1 });
    expect(echo.body).to.deep.equal({ got: { a: 1 } });
    const registered = await request(app.server).post('/api/v1/auth/register').send(registration('fastifyparse'));
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    // The core read the raw stream itself, so its own media-type rule applies.
    expect((await request(app.server).post('/api/v1/auth/register').set('Content-Type', 'text/plain').send('{}')).status).to.equal(415);
    await app.close();
  });

  it('adds no request decorator to the host, and leaves the host\'s / and its 404 handler alone', async () => {
    const app = Fastify();
    app.get('/', async () => ({ host: true }));
    app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ host404: true }));
    await app.register(corePlugin, { core: fixture.core, prefix: '/auth' });
    await app.ready();
    expect(app.hasRequestDecorator('auth')).to.equal(false);
    expect((await request(app.server).get('/')).body).to.deep.equal({ host: true });
    expect((await request(app.server).get('/auth/elsewhere')).body).to.deep.equal({ host404: true });
    expect((await request(app.server).get('/health')).body).to.deep.equal({ host404: true });
    expect((await request(app.server).get('/auth/health')).body.status).to.equal('healthy');
    const wrong = await request(app.server).put('/auth/api/v1/users/1');
    expect(wrong.status).to.equal(405);
    expect(wrong.body.error).to.equal('method_not_allowed');
    await app.close();
  });

  it('ignores X-Forwarded-For when the host does not trust proxies', async () => {
    const app = Fastify();
    await app.register(corePlugin, { core: fixture.core });
    await app.ready();
    const name = 'fastifynotrusted';
    await request(app.server).post('/api/v1/auth/register').send(registration(name));
    const login = await request(app.server).post('/api/v1/auth/login').set('X-Forwarded-For', '203.0.113.99').send({ username: name, password: 'password-123' });
    const sessions = await request(app.server).get('/api/v1/auth/sessions').set('Authorization', `Bearer ${login.body.access_token}`);
    expect(sessions.body[0].ip_address).to.match(/127\.0\.0\.1|::1/);
    await app.close();
  });

  it('guards a host route in a plugin of its own, exposing request.auth', async () => {
    const app = Fastify();
    await app.register(corePlugin, { core: fixture.core });
    await app.register(async (scope) => {
      scope.addHook('preHandler', createFastifyGuard(fixture.core));
      scope.get('/mine', async (req) => ({ username: req.auth?.user.username }));
    });
    await app.ready();
    const name = 'fastifyguard';
    expect((await request(app.server).post('/api/v1/auth/register').send(registration(name))).status).to.equal(201);
    const login = await fixture.core.services.auth.login({ username: name, password: 'password-123' }, { ipAddress: null, userAgent: null });
    const mine = await request(app.server).get('/mine').set('Authorization', `Bearer ${login.accessToken}`);
    expect(mine.body).to.deep.equal({ username: name });
    const refused = await request(app.server).get('/mine');
    expect(refused.status).to.equal(401);
    expect(refused.body.error).to.equal('authentication_error');
    expect(refused.body.request_id).to.equal(refused.headers['x-request-id']);
    await app.close();
  });
});
