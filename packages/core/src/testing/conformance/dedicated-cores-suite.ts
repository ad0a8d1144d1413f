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
      // The work the request started keeps running in the background until it reaches the
      // database; wait for longer than the hashing takes, then look.
      await sleep(3000);
      const page = await h.core.services.users.listUsers({ page: 1, size: 100, search: marker });
      expect(page.total).to.equal(0);
    });
  });

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
