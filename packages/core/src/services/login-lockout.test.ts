import { expect } from 'chai';
import { describe, it } from 'mocha';
import { rateLimitError } from '../errors/app-error';
import { MemoryRateLimiter, type MemoryRateLimiterOptions } from '../rate-limit/memory-rate-limiter';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import { isLoginLockedError, LOGIN_LOCKED_MESSAGE, LoginLockout, type LockoutSettings } from './login-lockout';
import { testConfig } from './service-fakes';

type Outcome = 'ok' | 'invalid' | { status: 429; retryAfter: number | undefined; message: string; details: unknown };

const DAY = 86_400_000;
const OWNER_IP = '192.0.2.10';
const attackerIp = (i: number) => `198.51.${100 + (i >> 8)}.${i & 255}`;

/**
 * A lockout on a memory limiter with a fake clock, and `login`, which follows the protocol
 * AuthService.login follows: count the attempt, check the password, then report the result.
 * `alice` (id 1, password `right`) exists; every other identifier does not.
 */
function setup(options: { settings?: Partial<LockoutSettings>; limiter?: RateLimiter; memory?: MemoryRateLimiterOptions } = {}) {
  const clock = { now: Date.parse('2026-01-15T10:00:00Z') };
  const limiter = options.limiter ?? new MemoryRateLimiter({ now: () => clock.now, ...options.memory });
  const lockout = new LoginLockout(limiter, { ...testConfig().loginLockout, enabled: true, ...options.settings });
  const counters = { passwordChecks: 0 };

  async function login(identifier: string, password: string, ip: string | undefined, pause = false): Promise<Outcome> {
    const userId = identifier.toLowerCase() === 'alice' ? 1 : undefined;
    const account = LoginLockout.accountKey(userId, identifier);
    let attempt;
    try {
      attempt = await lockout.beginAttempt(account, ip);
    } catch (error) {
      if (!isLoginLockedError(error)) throw error;
      return { status: 429, retryAfter: error.retryAfterSeconds, message: error.message, details: error.details };
    }
    // A pause stands for bcrypt: every concurrent attempt has been counted before any check ends.
    if (pause) await new Promise((resolve) => setImmediate(resolve));
    counters.passwordChecks += 1;
    if (userId !== undefined && password === 'right') {
      await lockout.recordSuccess(account, attempt);
      return 'ok';
    }
    await lockout.recordFailure(account, attempt);
    return 'invalid';
  }

  return { clock, limiter, lockout, login, counters };
}

const refused = (outcome: Outcome) => (typeof outcome === 'object' ? outcome.retryAfter : undefined);

describe('LoginLockout', () => {
  describe('against a remote attacker', () => {
    it('lets the owner in from a known IP after 50 attacker IPs failed 5 times each', async () => {
      const { login, counters } = setup();
      expect(await login('alice', 'right', OWNER_IP)).to.equal('ok');
      const outcomes: Outcome[] = [];
      for (let ip = 0; ip < 50; ip += 1) {
        for (let i = 0; i < 5; i += 1) outcomes.push(await login('alice', `guess-${ip}-${i}`, attackerIp(ip)));
      }
      expect(outcomes.filter((o) => o === 'invalid'), 'failures before the account is held').to.have.length(100);
      expect(outcomes.slice(100).every((o) => refused(o) !== undefined), 'the rest are refused').to.equal(true);
      expect(counters.passwordChecks, 'password checks: 1 owner + 100 attacker').to.equal(101);

      expect(await login('alice', 'right', OWNER_IP), 'the owner, from the known IP').to.equal('ok');
      expect(refused(await login('alice', 'right', '203.0.113.77')), 'the owner, from a new IP').to.be.greaterThan(0);
    });

    it('keeps the account open while only a few attacker IPs fail (no hold below the account threshold)', async () => {
      const { login } = setup();
      for (let ip = 0; ip < 10; ip += 1) {
        for (let i = 0; i < 7; i += 1) await login('alice', 'wrong', attackerIp(ip));
      }
      expect(await login('alice', 'right', '203.0.113.77')).to.equal('ok');
    });
  });

  describe('per (account, client) pair', () => {
    it('delays the pair after 5 failures, right password too, and leaves other clients alone', async () => {
      const { login, counters } = setup();
      for (let i = 0; i < 5; i += 1) expect(await login('alice', 'wrong', '198.51.100.1')).to.equal('invalid');
      const checks = counters.passwordChecks;
      expect(refused(await login('alice', 'right', '198.51.100.1'))).to.equal(30);
      expect(counters.passwordChecks, 'no password check while delayed').to.equal(checks);
      expect(await login('alice', 'right', '198.51.100.2')).to.equal('ok');
    });

    it('lets the pair in after the delay and doubles the delay on its next lock', async () => {
      const { login, clock } = setup();
      for (let i = 0; i < 5; i += 1) await login('alice', 'wrong', '198.51.100.1');
      clock.now += 31_000;
      for (let i = 0; i < 5; i += 1) expect(await login('alice', 'wrong', '198.51.100.1')).to.equal('invalid');
      expect(refused(await login('alice', 'wrong', '198.51.100.1'))).to.equal(60);
      clock.now += 61_000;
      expect(await login('alice', 'right', '198.51.100.1')).to.equal('ok');
    });

    it('caps the delay at LOGIN_LOCKOUT_MAX_SECONDS', async () => {
      const { login, clock } = setup({ settings: { baseDelaySeconds: 30, maxDelaySeconds: 100 } });
      let last: Outcome = 'ok';
      for (let lock = 0; lock < 4; lock += 1) {
        for (let i = 0; i < 5; i += 1) await login('alice', 'wrong', '198.51.100.1');
        last = await login('alice', 'wrong', '198.51.100.1');
        clock.now += 101_000;
      }
      expect(refused(last)).to.equal(100);
    });

    it('counts every spelling of one address, and every address of one IPv6 /64, as one client', async () => {
      const { login } = setup();
      const spellings = ['2001:db8:0:1::1', '2001:DB8:0:1::2', '2001:0db8:0000:0001::3', '2001:db8:0:1:0:0:0:4', '2001:db8:0:1:ffff::5'];
      for (const ip of spellings) expect(await login('alice', 'wrong', ip)).to.equal('invalid');
      expect(refused(await login('alice', 'right', '2001:db8:0:1:abcd::9'))).to.equal(30);
      expect(await login('alice', 'right', '2001:db8:0:2::1'), 'the next /64 is another client').to.equal('ok');

      for (const ip of ['::ffff:203.0.113.9', '203.0.113.9', '::FFFF:cb00:7109', '203.0.113.9', '::ffff:203.0.113.9']) {
        await login('alice', 'wrong', ip);
      }
      expect(refused(await login('alice', 'right', '203.0.113.9'))).to.equal(30);
    });

    it('forgives the pair and the account after a successful login', async () => {
      const { login } = setup();
      for (let round = 0; round < 3; round += 1) {
        for (let i = 0; i < 4; i += 1) expect(await login('alice', 'wrong', '198.51.100.1')).to.equal('invalid');
        expect(await login('alice', 'right', '198.51.100.1')).to.equal('ok');
      }
    });
  });

  describe('per account', () => {
    it('holds the account after 100 failures from all clients until the 24 h window ends', async () => {
      const { login, clock } = setup();
      for (let ip = 0; ip < 100; ip += 1) {
        expect(await login('alice', 'wrong', attackerIp(ip))).to.equal('invalid');
        clock.now += 60_000;
      }
      const held = refused(await login('alice', 'right', '203.0.113.77'));
      expect(held).to.equal(86_400 - 100 * 60);
      clock.now += held! * 1000;
      expect(await login('alice', 'right', '203.0.113.77')).to.equal('ok');
    });

    it('lets a known client through a hold, but its own failures still delay it', async () => {
      const { login } = setup();
      await login('alice', 'right', OWNER_IP);
      for (let ip = 0; ip < 100; ip += 1) await login('alice', 'wrong', attackerIp(ip));
      expect(refused(await login('alice', 'right', '203.0.113.77'))).to.be.greaterThan(0);
      for (let i = 0; i < 5; i += 1) expect(await login('alice', 'wrong', OWNER_IP)).to.equal('invalid');
      expect(refused(await login('alice', 'right', OWNER_IP))).to.equal(30);
    });

    it('knows a client for LOGIN_KNOWN_IP_DAYS after its latest success', async () => {
      const { login, clock } = setup({ settings: { knownIpDays: 30 } });
      await login('alice', 'right', OWNER_IP);
      clock.now += 20 * DAY;
      await login('alice', 'right', OWNER_IP); // renews the mark
      clock.now += 20 * DAY;
      for (let ip = 0; ip < 100; ip += 1) await login('alice', 'wrong', attackerIp(ip));
      expect(await login('alice', 'right', OWNER_IP), '20 days after the latest success').to.equal('ok');
      clock.now += 31 * DAY;
      for (let ip = 0; ip < 100; ip += 1) await login('alice', 'wrong', attackerIp(ip + 100));
      expect(refused(await login('alice', 'right', OWNER_IP)), '31 days after it').to.be.greaterThan(0);
    });

    it('never exempts a client without a usable IP, even after it logged in', async () => {
      const { login } = setup();
      expect(await login('alice', 'right', 'not-an-ip')).to.equal('ok');
      for (let ip = 0; ip < 100; ip += 1) await login('alice', 'wrong', attackerIp(ip));
      expect(refused(await login('alice', 'right', undefined)), 'no IP').to.be.greaterThan(0);
      expect(refused(await login('alice', 'right', 'forged, header')), 'another unusable IP').to.be.greaterThan(0);
    });

    it('takes the account threshold and window from the settings', async () => {
      const { login, clock } = setup({ settings: { accountMaxFailures: 3, accountWindowSeconds: 600 } });
      for (let ip = 0; ip < 3; ip += 1) await login('alice', 'wrong', attackerIp(ip));
      expect(refused(await login('alice', 'right', attackerIp(9)))).to.equal(600);
      clock.now += 600_000;
      expect(await login('alice', 'right', attackerIp(9))).to.equal('ok');
    });
  });

  describe('under concurrency', () => {
    it('lets at most 5 of 20 concurrent attempts of one pair reach a password check', async () => {
      const { login, counters } = setup();
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => login('alice', 'wrong', '198.51.100.1', true)));
      expect(counters.passwordChecks).to.equal(5);
      expect(outcomes.filter((o) => refused(o) !== undefined)).to.have.length(15);
    });

    it('lets at most 100 of 300 concurrent attempts from 300 clients reach a password check', async () => {
      const { login, counters } = setup();
      await Promise.all(Array.from({ length: 300 }, (_, i) => login('alice', 'wrong', attackerIp(i), true)));
      expect(counters.passwordChecks).to.equal(100);
      expect(refused(await login('alice', 'right', '203.0.113.77'))).to.be.greaterThan(0);
    });
  });

  describe('unknown identifiers', () => {
    /** One attack script; the outcomes of a known and an unknown identifier must not differ. */
    async function attack(identifier: string): Promise<Outcome[]> {
      const { login, clock } = setup();
      const outcomes: Outcome[] = [];
      for (let i = 0; i < 6; i += 1) outcomes.push(await login(identifier, 'wrong', '198.51.100.1'));
      clock.now += 31_000;
      for (let i = 0; i < 6; i += 1) outcomes.push(await login(identifier, 'wrong', '198.51.100.1'));
      for (let ip = 0; ip < 100; ip += 1) outcomes.push(await login(identifier, 'wrong', attackerIp(ip + 10)));
      outcomes.push(await login(identifier, 'wrong', '203.0.113.77'));
      return outcomes;
    }

    it('delays and holds an unknown identifier exactly like an existing account', async () => {
      const known = await attack('alice');
      const unknown = await attack('ghost');
      expect(unknown).to.deep.equal(known);
      const refusals = known.filter((o) => typeof o === 'object');
      expect(refusals.length).to.be.greaterThan(3);
      for (const refusal of refusals) expect(refusal).to.deep.include({ message: LOGIN_LOCKED_MESSAGE, details: [] });
    });

    it('counts an unknown identifier whatever its case', async () => {
      const { login } = setup();
      for (let i = 0; i < 5; i += 1) await login(i % 2 ? 'Ghost' : 'ghost', 'wrong', '198.51.100.1');
      expect(refused(await login('GHOST', 'wrong', '198.51.100.1'))).to.equal(30);
    });
  });

  describe('bounded memory', () => {
    it('keeps a lock through a flood of 10 000 new per-IP buckets', async () => {
      const { login, limiter } = setup({ memory: { maxKeys: 100 } });
      for (let i = 0; i < 5; i += 1) await login('alice', 'wrong', '198.51.100.1');
      for (let i = 0; i < 10_000; i += 1) await limiter.consume(`route:auth.login:${attackerIp(i)}`, { limit: 10, windowMs: 300_000 });
      expect(refused(await login('alice', 'right', '198.51.100.1'))).to.equal(30);
    });

    it('keeps a lock through a flood of failed logins for 2 000 other identifiers', async () => {
      const { login } = setup({ memory: { maxKeys: 100 } });
      for (let i = 0; i < 5; i += 1) await login('alice', 'wrong', '198.51.100.1');
      for (let i = 0; i < 2000; i += 1) await login(`nobody-${i}`, 'wrong', attackerIp(i));
      expect(refused(await login('alice', 'right', '198.51.100.1'))).to.equal(30);
    });
  });

  describe('failures of the limiter', () => {
    it('fails open: a limiter that throws lets every attempt reach the password check', async () => {
      const broken: RateLimiter = {
        backend: 'redis',
        consume: async () => Promise.reject(new Error('down')),
        peek: async () => Promise.reject(new Error('down')),
        reset: async () => Promise.reject(new Error('down')),
        check: async () => false,
        close: async () => {},
      };
      const { login, counters } = setup({ limiter: broken });
      for (let i = 0; i < 8; i += 1) expect(await login('alice', 'wrong', '198.51.100.1')).to.equal('invalid');
      expect(await login('alice', 'right', '198.51.100.1')).to.equal('ok');
      expect(counters.passwordChecks).to.equal(9);
    });

    it('counts nothing when disabled', async () => {
      const { login } = setup({ settings: { enabled: false } });
      for (let i = 0; i < 8; i += 1) await login('alice', 'wrong', '198.51.100.1');
      expect(await login('alice', 'right', '198.51.100.1')).to.equal('ok');
    });
  });

  describe('isLoginLockedError', () => {
    it('tells a lockout refusal from the per-IP rate limit', async () => {
      const { lockout } = setup();
      const account = LoginLockout.accountKey(1, 'alice');
      for (let i = 0; i < 5; i += 1) await lockout.recordFailure(account, await lockout.beginAttempt(account, '198.51.100.1'));
      const error = await lockout.beginAttempt(account, '198.51.100.1').catch((caught: unknown) => caught);
      expect(isLoginLockedError(error)).to.equal(true);
      expect(isLoginLockedError(rateLimitError(5, 'Rate limit exceeded; try again later'))).to.equal(false);
      expect(isLoginLockedError(new Error(LOGIN_LOCKED_MESSAGE))).to.equal(false);
    });
  });

  describe('accountKey', () => {
    it('keys a known user by id and an unknown identifier by its lower-cased, trimmed text', () => {
      expect(LoginLockout.accountKey(7, 'Alice')).to.equal('id:7');
      expect(LoginLockout.accountKey(undefined, ' Ghost ')).to.equal('name:ghost');
    });

    it('keys a very long identifier by its hash', () => {
      const key = LoginLockout.accountKey(undefined, 'x'.repeat(10_000));
      expect(key).to.match(/^name#[0-9a-f]{64}$/);
      expect(LoginLockout.accountKey(undefined, 'X'.repeat(10_000))).to.equal(key);
    });
  });
});
