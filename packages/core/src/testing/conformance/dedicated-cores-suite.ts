import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import type { HealthReport } from '../../domain/types';
import { startTcpProxy, type TcpProxy } from '../tcp-proxy';
import { expectError, expectJson } from './assertions';
import { Harness, uniqueName, type MountHost, type SignedInUser, type StorageTarget } from './harness';

/** Tests that need a core of their own: a tiny request timeout, and Redis going away. */
export function dedicatedCoresSuite(target: StorageTarget, mount: MountHost): void {
  describe('request timeout', () => {
    // Slow hashing (cost 10, ~80 ms each, two workers) makes a 30-user bulk create outlast 200 ms.
    const h = new Harness(target, mount, { requestTimeoutMs: 200, bcryptRounds: 10 });
    let admin: SignedInUser;
    before(async () => {
      await h.start();
      admin = await h.signIn({ superuser: true });
    });
    after(() => h.stop());

    it('answers 504 request_timeout, and the timed-out bulk create leaves nothing behind', async function () {
      this.timeout(20_000);
      const marker = uniqueName('slow');
      const items = Array.from({ length: 30 }, (_, i) => ({ email: `${marker}${i}@example.com`, username: `${marker}${i}`, password: 'password-123' }));
      const res = await admin.client.post(h.api('/users/bulk'), items);
      const body = expectError(res, 504, 'request_timeout');
      expect(body.message).to.equal('Request exceeded 0.2s timeout');
      expect(res.headers.connection, 'a 504 closes the connection').to.equal('close');
      // The work the request started keeps running in the background until it reaches the
      // database; wait for longer than the hashing takes, then look.
      await sleep(3000);
      const page = await h.core.services.users.listUsers({ page: 1, size: 100, search: marker });
      expect(page.total).to.equal(0);
    });
  });

  if (target.database.name === 'postgres') databaseOutageSuite(target, mount);
  if (!target.redisUrl) return;
  const redisUrl = target.redisUrl;

  describe('Redis outage', () => {
    let proxy: TcpProxy;
    let h: Harness;
    let me: SignedInUser;
    before(async () => {
      const url = new URL(redisUrl);
      proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 6379) });
      h = new Harness(target, mount, { redis: { url: proxy.url(url.pathname) } });
      await h.start();
      me = await h.signIn();
    });
    after(async () => {
      await h?.stop();
      await proxy?.close();
    });

    it('reports degraded with HTTP 200 while the memory fallback serves, and healthy once Redis is back', async function () {
      this.timeout(30_000);
      expect(expectJson<HealthReport>(await h.client().get('/health'), 200).status).to.equal('healthy');
      await proxy.cut();
      const down = expectJson<HealthReport>(await h.client().get('/health'), 200);
      expect(down.status).to.equal('degraded');
      expect(down.checks.database.status).to.equal('healthy');
      expect(down.checks.cache.status).to.equal('unhealthy');
      expect(JSON.stringify(down)).to.not.match(/ECONNREFUSED|Connection is closed|ioredis/i);
      // Requests keep working: the cache misses, the limiter counts in memory.
      expectJson(await me.client.get(h.api('/auth/me')), 200);
      const name = uniqueName('down');
      const registered = await h.client().post(h.api('/auth/register'), { email: `${name}@example.com`, username: name, password: 'password-123' });
      expectJson(registered, 201);

      await proxy.restore();
      let status = '';
      for (let attempt = 0; attempt < 50 && status !== 'healthy'; attempt += 1) {
        await sleep(200);
        status = expectJson<HealthReport>(await h.client().get('/health'), 200).status;
      }
      expect(status).to.equal('healthy');
    });
  });
}

/** PostgreSQL going away: /health 503 unhealthy, API calls 503 service_unavailable. */
function databaseOutageSuite(target: StorageTarget, mount: MountHost): void {
  describe('database outage', () => {
    let proxy: TcpProxy;
    let h: Harness;
    let me: SignedInUser;
    before(async () => {
      const server = new URL(process.env.TEST_DATABASE_URL ?? '');
      proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
      h = new Harness(target, mount, (base) => {
        const url = new URL(base.database!.url!);
        url.hostname = '127.0.0.1';
        url.port = String(proxy.port);
        return { database: { url: url.toString() } };
      });
      await h.start();
      me = await h.signIn();
    });
    after(async () => {
      await proxy?.restore();
      await h?.stop();
      await proxy?.close();
    });

    it('answers /health 503 unhealthy and API calls 503 service_unavailable, without driver text', async function () {
      this.timeout(30_000);
      expect(expectJson<HealthReport>(await h.client().get('/health'), 200).status).to.equal('healthy');
      await proxy.cut();
      const health = await h.client().get('/health');
      expect(health.status).to.equal(503);
      expect(health.body.status).to.equal('unhealthy');
      expect(health.body.checks.database.status).to.equal('unhealthy');
      const api = expectError(await me.client.get(h.api('/auth/me')), 503, 'service_unavailable');
      const login = expectError(await h.client().post(h.api('/auth/login'), { username: me.user.username, password: me.password }), 503, 'service_unavailable');
      for (const body of [health.body, api, login]) {
        expect(JSON.stringify(body)).to.not.match(/ECONNREFUSED|ECONNRESET|connect|SequelizeConnection/i);
      }
      await proxy.restore();
      let status = 0;
      for (let attempt = 0; attempt < 50 && status !== 200; attempt += 1) {
        await sleep(200);
        status = (await h.client().get('/health')).status;
      }
      expect(status).to.equal(200);
      expectJson(await me.client.get(h.api('/auth/me')), 200);
    });
  });
}
