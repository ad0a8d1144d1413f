import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { RedisRateLimiter } from '../rate-limit/redis-rate-limiter';
import { startTcpProxy, type TcpProxy } from '../testing/tcp-proxy';
import { isLoginLockedError, LoginLockout } from './login-lockout';
import { testConfig } from './service-fakes';
import { waitFor } from '../testing/wait-for';

const redisUrl = process.env.TEST_REDIS_URL;


if (redisUrl) {
  describe('LoginLockout on Redis, across an outage', () => {
    const target = new URL(redisUrl);
    const account = LoginLockout.accountKey(1, 'alice');
    // A low account threshold, so the hold is reached with a few failures.
    const settings = { ...testConfig().loginLockout, enabled: true, accountMaxFailures: 8 };
    let proxy: TcpProxy;
    let keyPrefix: string;
    let limiter: RedisRateLimiter;
    let lockout: LoginLockout;

    /** One failed login from `ip`; true when the lockout refused it before the password check. */
    const fail = async (on: LoginLockout, ip: string): Promise<boolean> => {
      try {
        await on.recordFailure(account, await on.beginAttempt(account, ip));
        return false;
      } catch (error) {
        if (isLoginLockedError(error)) return true;
        throw error;
      }
    };
    /** A successful login from `ip`; false when the lockout refused it. */
    const succeed = async (on: LoginLockout, ip: string): Promise<boolean> => {
      try {
        await on.recordSuccess(account, await on.beginAttempt(account, ip));
        return true;
      } catch (error) {
        if (isLoginLockedError(error)) return false;
        throw error;
      }
    };

    /** A second instance that reaches Redis directly, sharing the key prefix. */
    async function otherInstance(): Promise<{ lockout: LoginLockout; close: () => Promise<void> }> {
      const other = new RedisRateLimiter({ url: redisUrl, keyPrefix });
      await other.whenReady();
      return { lockout: new LoginLockout(other, settings), close: () => other.close() };
    }

    beforeEach(async () => {
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
      keyPrefix = `test:lockout:${randomUUID()}:`;
      limiter = new RedisRateLimiter({ url: proxy.url(target.pathname), keyPrefix });
      await limiter.whenReady();
      lockout = new LoginLockout(limiter, settings);
    });

    afterEach(async () => {
      await limiter.close();
      await proxy.close();
    });

    it('honours a pair lock taken in Redis while Redis is down', async () => {
      for (let i = 0; i < 5; i += 1) expect(await fail(lockout, '198.51.100.1')).to.equal(false);
      await proxy.cut();
      expect(await succeed(lockout, '198.51.100.1')).to.equal(false);
      expect(limiter.backend).to.equal('memory');
    });

    it('honours a pair lock taken while Redis was down once it is back, on every instance', async () => {
      await proxy.cut();
      for (let i = 0; i < 5; i += 1) expect(await fail(lockout, '198.51.100.1')).to.equal(false);
      expect(await succeed(lockout, '198.51.100.1'), 'locked in memory').to.equal(false);
      await proxy.restore();
      await waitFor(() => limiter.backend === 'redis');
      expect(await succeed(lockout, '198.51.100.1'), 'still locked with Redis back').to.equal(false);
      await limiter.whenReplayed();
      const other = await otherInstance();
      try {
        expect(await succeed(other.lockout, '198.51.100.1'), 'locked on the other instance').to.equal(false);
        expect(await succeed(other.lockout, '198.51.100.2'), 'another client').to.equal(true);
      } finally {
        await other.close();
      }
    });

    it("keeps an account hold and the owner's known client through an outage in both directions", async () => {
      expect(await succeed(lockout, '192.0.2.10')).to.equal(true); // the owner, known from now on
      await proxy.cut();
      for (let ip = 1; ip <= 8; ip += 1) await fail(lockout, `198.51.100.${ip}`);
      expect(await succeed(lockout, '203.0.113.7'), 'held for a new client').to.equal(false);
      expect(await succeed(lockout, '192.0.2.10'), 'the owner, known before the outage').to.equal(true);
      await proxy.restore();
      await waitFor(() => limiter.backend === 'redis');
      await limiter.whenReplayed();
      const other = await otherInstance();
      try {
        expect(await succeed(other.lockout, '203.0.113.8'), 'held on the other instance').to.equal(false);
        expect(await succeed(other.lockout, '192.0.2.10'), 'the owner, on the other instance').to.equal(true);
      } finally {
        await other.close();
      }
    });
  });
}
