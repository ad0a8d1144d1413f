import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import type { Core } from '../core';
import { createCore } from '../create-core';
import { createConsoleLogger } from '../logger/logger';
import { parseMetrics, sampleValue } from '../testing/prometheus-text';
import { startTcpProxy, type TcpProxy } from '../testing/tcp-proxy';
import { waitFor } from '../testing/wait-for';

const redisUrl = process.env.TEST_REDIS_URL;

if (redisUrl) {
  describe('app_backend_fallback across a Redis outage', () => {
    const target = new URL(redisUrl);
    let proxy: TcpProxy;
    let core: Core;
    const fallback = async (port: string) =>
      sampleValue(parseMetrics((await core.services.metrics.exposition()).text), 'app_backend_fallback', { port });

    before(async () => {
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
      core = await createCore({
        environment: 'test',
        database: { url: 'sqlite::memory:' },
        migrate: true,
        bcryptRounds: 4,
        hashWorkers: 1,
        redis: { url: proxy.url(target.pathname), keyPrefix: `test:fallback:${randomUUID()}:` },
        logger: createConsoleLogger({ level: 'error' }),
      });
    });
    after(async () => {
      await core?.close();
      await proxy?.close();
    });

    it('is 0 while Redis serves, 1 for both ports while it is down, and 0 again once it is back', async () => {
      await waitFor(async () => (await fallback('rate_limiter')) === 0 && (await fallback('cache')) === 0, { message: 'both ports on Redis' });
      await proxy.cut();
      // The limiter notices the outage on its next command; a login attempt is one.
      await core.services.auth.login({ username: 'nobody', password: 'whatever-1' }).catch(() => undefined);
      await waitFor(async () => (await fallback('rate_limiter')) === 1 && (await fallback('cache')) === 1, {
        message: 'both ports reported on their fallback',
      });
      await proxy.restore();
      await waitFor(async () => (await fallback('rate_limiter')) === 0 && (await fallback('cache')) === 0, {
        message: 'both ports back on Redis',
        timeoutMs: 20_000,
      });
    });
  });
}
