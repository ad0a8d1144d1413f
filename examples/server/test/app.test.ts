import { createServer } from 'node:http';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import request from 'supertest';
import { useTestCore } from '@app/core/testing';
import { createApp, readFramework, type Framework } from '../src/app';
import { applyServerLimits, HEADERS_TIMEOUT_MS } from '../src/server-limits';

describe('the example server', () => {
  const fixture = useTestCore();

  for (const framework of ['express', 'koa', 'fastify'] as Framework[]) {
    describe(framework, () => {
      it('serves the welcome, the API and /health', async () => {
        const app = await createApp(fixture.core, { framework, trustProxy: false });
        expect((await request(app).get('/')).body.docs).to.equal('/api/v1/openapi.json');
        expect((await request(app).get('/health')).body.status).to.equal('healthy');
        expect((await request(app).put('/api/v1/users/1')).status).to.equal(405);
      });

      it('serves GET /metrics through the adapter: 401 in the envelope without a token, the exposition to a superuser', async () => {
        const app = await createApp(fixture.core, { framework, trustProxy: false });
        const refused = await request(app).get('/metrics');
        expect(refused.status).to.equal(401);
        expect(refused.body.error).to.equal('authentication_error');
        const password = 'metrics-admin-pw-1';
        const admin = await fixture.core.services.users.createUser({
          email: `metrics-${framework}@example.com`, username: `metrics_${framework}`, password, is_superuser: true,
        });
        const { accessToken } = await fixture.core.services.auth.login({ username: admin.username, password });
        const res = await request(app).get('/metrics').set('Authorization', `Bearer ${accessToken}`);
        expect(res.status).to.equal(200);
        expect(res.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
        expect(res.text).to.match(/^app_http_requests_total\{route="\/metrics",method="GET",status="401"\} [1-9][0-9]*$/m);
      });

      it('answers its own 404 outside the API in the envelope, with a request id and the security headers', async () => {
        const app = await createApp(fixture.core, { framework, trustProxy: false });
        const res = await request(app).get('/nowhere').set('X-Request-ID', 'own-404');
        expect(res.status).to.equal(404);
        expect(res.headers['content-type']).to.match(/^application\/json/);
        expect(res.body).to.deep.equal({ error: 'not_found_error', message: 'Route not found', details: [], request_id: 'own-404' });
        expect(res.headers['x-request-id']).to.equal('own-404');
        expect(res.headers['x-content-type-options']).to.equal('nosniff');
        expect(res.headers['content-security-policy']).to.equal("default-src 'none'; frame-ancestors 'none'");
      });
    });
  }

  it('reads HTTP_FRAMEWORK, fastify included, and refuses anything else naming the variable', () => {
    expect(readFramework({ HTTP_FRAMEWORK: 'Fastify' })).to.equal('fastify');
    expect(readFramework({})).to.equal('express');
    expect(() => readFramework({ HTTP_FRAMEWORK: 'hapi' })).to.throw(/HTTP_FRAMEWORK/);
  });

  it('bounds the time for the request head and the whole request, and answers parser errors', () => {
    const server = createServer();
    applyServerLimits(server, fixture.core);
    expect(server.headersTimeout).to.equal(HEADERS_TIMEOUT_MS);
    expect(server.requestTimeout).to.be.greaterThan(fixture.core.config.requestTimeoutMs);
    expect(server.listenerCount('clientError')).to.equal(1);
  });
});
