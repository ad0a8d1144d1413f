import { createHmac, generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { AppError } from '../errors/app-error';
import { JwtTokenService } from './jwt-token-service';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const T0 = Date.UTC(2026, 0, 15, 10, 30, 0);

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token built by hand, so that any header or claim shape can be tried. */
function handMade(header: object, claims: object, secret = SECRET): string {
  const body = `${b64(header)}.${b64(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

function verifyError(service: JwtTokenService, token: string): AppError {
  try {
    service.verify(token);
  } catch (error) {
    expect(error).to.be.instanceOf(AppError);
    return error as AppError;
  }
  throw new Error('verify accepted the token');
}

describe('JwtTokenService', () => {
  let clock: number;
  let service: JwtTokenService;
  const claimsAt = (iat: number) => ({ sub: '7', jti: 'c0ffee00-0000-4000-8000-000000000000', iat, exp: iat + 1800 });

  beforeEach(() => {
    clock = T0;
    service = new JwtTokenService({ secretKey: SECRET, expireMinutes: 30, now: () => clock });
  });

  describe('issue', () => {
    it('signs HS256 with sub, jti, iat and exp', () => {
      const issued = service.issue(7);
      const decoded = jwt.decode(issued.token, { complete: true });
      expect(decoded?.header.alg).to.equal('HS256');
      expect(decoded?.payload).to.deep.equal({ sub: '7', jti: issued.jti, iat: T0 / 1000, exp: T0 / 1000 + 1800 });
      expect(issued.jti).to.match(/^[0-9a-f-]{36}$/);
      expect(issued.expiresIn).to.equal(1800);
      expect(issued.expiresAt.toISOString()).to.equal('2026-01-15T11:00:00.000Z');
    });

    it('gives two tokens issued in the same second different values and jtis', () => {
      const a = service.issue(7);
      const b = service.issue(7);
      expect(a.token).to.not.equal(b.token);
      expect(a.jti).to.not.equal(b.jti);
    });

    it('signs with the secret string as the HMAC key, so any HS256 verifier with the same secret accepts it', () => {
      const [header, payload, signature] = service.issue(42).token.split('.');
      expect(signature).to.equal(createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url'));
    });

    it('rejects a user id that is not a positive integer', () => {
      expect(() => service.issue(0)).to.throw(RangeError);
      expect(() => service.issue(1.5)).to.throw(RangeError);
    });
  });

  describe('verify', () => {
    it('returns the claims of a token it issued', () => {
      const issued = service.issue(42);
      expect(service.verify(issued.token)).to.deep.equal({ sub: '42', jti: issued.jti, iat: T0 / 1000, exp: T0 / 1000 + 1800 });
    });

    it('accepts a token until its expiry and rejects it after with "Token has expired"', () => {
      const { token } = service.issue(7);
      clock = T0 + 1799_000;
      expect(service.verify(token).sub).to.equal('7');
      clock = T0 + 1801_000;
      const error = verifyError(service, token);
      expect(error.code).to.equal('authentication_error');
      expect(error.message).to.equal('Token has expired');
    });

    it('rejects a token signed with another secret', () => {
      const other = new JwtTokenService({ secretKey: 'another-secret-another-secret-another', expireMinutes: 30, now: () => clock });
      const error = verifyError(service, other.issue(7).token);
      expect(error.code).to.equal('authentication_error');
      expect(error.message).to.equal('Could not validate credentials');
    });

    it('rejects an unsigned alg:none token', () => {
      const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claimsAt(T0 / 1000))}.`;
      expect(verifyError(service, token).code).to.equal('authentication_error');
    });

    it('rejects an HS512 token even with the right secret', () => {
      const token = jwt.sign(claimsAt(T0 / 1000), SECRET, { algorithm: 'HS512' });
      expect(verifyError(service, token).message).to.equal('Could not validate credentials');
    });

    it('rejects an RS256 token', () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const token = jwt.sign(claimsAt(T0 / 1000), privateKey, { algorithm: 'RS256' });
      expect(verifyError(service, token).code).to.equal('authentication_error');
    });

    it('rejects a token whose payload was altered after signing', () => {
      const [header, , signature] = service.issue(7).token.split('.');
      const forged = `${header}.${b64({ ...claimsAt(T0 / 1000), sub: '1' })}.${signature}`;
      expect(verifyError(service, forged).code).to.equal('authentication_error');
    });

    it('rejects correctly signed tokens with a non-string or non-id sub', () => {
      const header = { alg: 'HS256', typ: 'JWT' };
      for (const sub of [7, null, '', 'admin', '0', '-3']) {
        const token = handMade(header, { ...claimsAt(T0 / 1000), sub });
        expect(verifyError(service, token).code, String(sub)).to.equal('authentication_error');
      }
    });

    it('rejects correctly signed tokens with a missing or non-string jti', () => {
      const header = { alg: 'HS256', typ: 'JWT' };
      const { jti: _omitted, ...withoutJti } = claimsAt(T0 / 1000);
      expect(verifyError(service, handMade(header, withoutJti)).code).to.equal('authentication_error');
      expect(verifyError(service, handMade(header, { ...claimsAt(T0 / 1000), jti: 123 })).code).to.equal('authentication_error');
    });

    it('rejects a correctly signed token without exp', () => {
      const { exp: _omitted, ...withoutExp } = claimsAt(T0 / 1000);
      expect(verifyError(service, handMade({ alg: 'HS256', typ: 'JWT' }, withoutExp)).code).to.equal('authentication_error');
    });

    it('rejects garbage', () => {
      for (const token of ['', 'abc', 'a.b.c', 'Bearer x']) {
        expect(verifyError(service, token).code, token).to.equal('authentication_error');
      }
    });
  });
});
