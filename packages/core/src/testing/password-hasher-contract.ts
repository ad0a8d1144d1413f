import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { AppError, isAppError } from '../errors/app-error';
import type { PasswordHasher } from '../security/password-hasher';

/**
 * Which hasher {@link passwordHasherContract} asks for: `current` is the configuration under
 * test; `other` hashes with other parameters or another algorithm (a lower cost will do), so
 * that `current` can show it verifies such hashes and wants them rehashed.
 */
export type PasswordHasherVariant = 'current' | 'other';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected the call to reject'),
    (error: unknown) => error,
  );
}

// 128 characters of 4 UTF-8 bytes each: 512 bytes, well past bcrypt's 72.
const LONGEST = '🐎'.repeat(127) + '🦄';
const MALFORMED = [
  '',
  'plain-text-password',
  '$2b$04$short',
  `$2b$04$${'!'.repeat(53)}`,
  `$2b$99$${'a'.repeat(53)}`,
  `$2b$04$${'a'.repeat(53)}`,
  '$argon2id$v=19$m=19456,t=2,p=1$not-base64!$nope',
  '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$',
  '$bcrypt-sha256$v=2,t=2b,r=4$tooshort$x',
  '$pbkdf2-sha256$29000$N2bMWSvF2DOmNKaU8p5zbg$aPj3fT6QlUKFUH0c1ABYOGS8rVOzRyXPnBmGtwwgv3U',
];

/**
 * What every {@link PasswordHasher} must do, as a mocha suite: a host that supplies its own
 * hasher runs it against theirs. `factory` is called before each test and the hasher closed
 * after it; use a low cost, the suite hashes a few dozen times.
 *
 * @example
 * passwordHasherContract('WorkerPasswordHasher (bcrypt)', (variant) =>
 *   new WorkerPasswordHasher({ bcryptRounds: variant === 'current' ? 5 : 4, workers: 2 }));
 */
export function passwordHasherContract(name: string, factory: (variant: PasswordHasherVariant) => PasswordHasher | Promise<PasswordHasher>): void {
  describe(`${name} (PasswordHasher contract)`, () => {
    let hasher: PasswordHasher;

    beforeEach(async () => {
      hasher = await factory('current');
    });

    afterEach(async () => {
      await hasher.close();
    });

    describe('hash and verify', () => {
      it('verifies the password it hashed and refuses any other', async () => {
        const hash = await hasher.hash('correct horse battery');
        expect(hash).to.be.a('string').and.not.include('correct horse battery');
        expect(await hasher.verify('correct horse battery', hash)).to.equal(true);
        expect(await hasher.verify('correct horse batterY', hash)).to.equal(false);
        expect(await hasher.verify('', hash)).to.equal(false);
      });

      it('salts every hash differently', async () => {
        const [a, b] = await Promise.all([hasher.hash('same-password'), hasher.hash('same-password')]);
        expect(a).to.not.equal(b);
        expect(await hasher.verify('same-password', b)).to.equal(true);
      });

      it('never truncates: 128 four-byte characters verify, and one differing in the last character does not', async () => {
        const hash = await hasher.hash(LONGEST);
        expect(await hasher.verify(LONGEST, hash)).to.equal(true);
        expect(await hasher.verify(`${'🐎'.repeat(127)}🐴`, hash)).to.equal(false);
        expect(await hasher.verify('🐎'.repeat(127), hash)).to.equal(false);
        const ascii = 'a'.repeat(72);
        expect(await hasher.verify(`${ascii}B`, await hasher.hash(`${ascii}A`))).to.equal(false);
      });

      it('returns false, never throws, for malformed and unknown hashes', async () => {
        for (const hash of MALFORMED) expect(await hasher.verify('anything-123', hash), hash).to.equal(false);
        const real = await hasher.hash('anything-123');
        expect(await hasher.verify('anything-123', real.slice(0, -4))).to.equal(false);
      });
    });

    describe('needsRehash', () => {
      it('is false for a hash it just made', async () => {
        expect(hasher.needsRehash(await hasher.hash('fresh-password'))).to.equal(false);
        expect(hasher.needsRehash(await hasher.hash(LONGEST))).to.equal(false);
      });

      it('is true for a hash made with other parameters, which still verifies', async () => {
        const other = await factory('other');
        try {
          const hash = await other.hash('older-password');
          expect(await hasher.verify('older-password', hash)).to.equal(true);
          expect(hasher.needsRehash(hash)).to.equal(true);
        } finally {
          await other.close();
        }
      });

      it('is true for anything it does not recognise', () => {
        for (const hash of ['', 'plain-text-password', '$pbkdf2-sha256$29000$x$y']) expect(hasher.needsRehash(hash), hash).to.equal(true);
      });
    });

    describe('verifyDummy', () => {
      it('resolves false for any password', async () => {
        for (const password of ['', 'wrong-password', LONGEST]) expect(await hasher.verifyDummy(password)).to.equal(false);
      });
    });

    describe('abort', () => {
      it('rejects with the signal\'s AppError when the signal is already aborted', async () => {
        const reason = new AppError('request_timeout', 'Request exceeded 30.0s timeout');
        const signal = AbortSignal.abort(reason);
        const hash = await hasher.hash('password-123');
        expect(await rejection(hasher.hash('password-123', { signal }))).to.equal(reason);
        expect(await rejection(hasher.verify('password-123', hash, { signal }))).to.equal(reason);
        expect(await rejection(hasher.verifyDummy('password-123', { signal }))).to.equal(reason);
      });

      it('rejects with request_timeout when the reason is not an AppError', async () => {
        const error = await rejection(hasher.hash('password-123', { signal: AbortSignal.abort(new Error('client went away')) }));
        expect(isAppError(error) && error.code).to.equal('request_timeout');
      });

      it('rejects every call of a request aborted while they wait, and serves the next request', async () => {
        const controller = new AbortController();
        const reason = new AppError('request_timeout', 'Request exceeded 0.1s timeout');
        const calls = Array.from({ length: 20 }, (_, i) => rejection(hasher.hash(`bulk-password-${i}`, { signal: controller.signal, group: 'bulk' })));
        controller.abort(reason);
        for (const error of await Promise.all(calls)) expect(error).to.equal(reason);
        const hash = await hasher.hash('next-request', { group: 'next' });
        expect(await hasher.verify('next-request', hash, { group: 'next' })).to.equal(true);
      });
    });

    describe('close', () => {
      it('makes later calls reject, and is idempotent', async () => {
        await hasher.close();
        await hasher.close();
        expect(await rejection(hasher.hash('too-late-password'))).to.be.instanceOf(Error);
      });
    });
  });
}
