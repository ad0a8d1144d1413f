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
  const claimsAt = (iat: number) => ({ sub: '7', sid: '3', jti: 'c0ffee00-0000-4000-8000-000000000000', typ: 'access', iat, exp: iat + 1800 });

  beforeEach(() => {
    clock = T0;
    service = new JwtTokenService({ secretKey: SECRET, expireMinutes: 30, now: () => clock });
  });

  describe('issue', () => {
    it('signs HS256 with sub, sid, jti, typ access, iat and exp', () => {
      const issued = service.issue({ userId: 7, sessionId: 3 });
      const decoded = jwt.decode(issued.token, { complete: true });
      expect(decoded?.header.alg).to.equal('HS256');
      expect(decoded?.payload).to.deep.equal({ sub: '7', sid: '3', jti: issued.jti, typ: 'access', iat: T0 / 1000, exp: T0 / 1000 + 1800 });
      expect(issued.jti).to.match(/^[0-9a-f-]{36}$/);
      expect(issued.expiresIn).to.equal(1800);
      expect(issued.expiresAt.toISOString()).to.equal('2026-01-15T11:00:00.000Z');
    });

    it('gives two tokens issued in the same second different values and jtis', () => {
      const a = service.issue({ userId: 7, sessionId: 3 });
      const b = service.issue({ userId: 7, sessionId: 3 });
      expect(a.token).to.not.equal(b.token);
      expect(a.jti).to.not.equal(b.jti);
    });

    it('signs with the secret string as the HMAC key, so any HS256 verifier with the same secret accepts it', () => {
      const [header, payload, signature] = service.issue({ userId: 42, sessionId: 1 }).token.split('.');
      expect(signature).to.equal(createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url'));
    });

    it('rejects a user or session id that is not a positive integer', () => {
      expect(() => service.issue({ userId: 0, sessionId: 1 })).to.throw(RangeError);
      expect(() => service.issue({ userId: 1.5, sessionId: 1 })).to.throw(RangeError);
      expect(() => service.issue({ userId: 1, sessionId: 0 })).to.throw(RangeError);
    });

    it('uses a given jti, and never outlives notAfter', () => {
      const issued = service.issue({ userId: 7, sessionId: 3, jti: 'first', notAfter: new Date(T0 + 600_000) });
      expect(issued.jti).to.equal('first');
      expect(issued.expiresIn).to.equal(600);
      expect((jwt.decode(issued.token) as jwt.JwtPayload).exp).to.equal(T0 / 1000 + 600);
    });

    it('adds iss and aud when configured', () => {
      const scoped = new JwtTokenService({ secretKey: SECRET, expireMinutes: 15, issuer: 'https://id.example', audience: 'api', now: () => clock });
      const payload = jwt.decode(scoped.issue({ userId: 7, sessionId: 3 }).token) as jwt.JwtPayload;
      expect(payload).to.include({ iss: 'https://id.example', aud: 'api', exp: T0 / 1000 + 900 });
    });
  });

  describe('verify', () => {
    it('returns the claims of a token it issued', () => {
      const issued = service.issue({ userId: 42, sessionId: 9 });
      expect(service.verify(issued.token)).to.deep.equal({ sub: '42', sid: '9', jti: issued.jti, typ: 'access', iat: T0 / 1000, exp: T0 / 1000 + 1800 });
    });

    it('accepts a token until its expiry and rejects it after with "Token has expired"', () => {
      const { token } = service.issue({ userId: 7, sessionId: 3 });
      clock = T0 + 1799_000;
      expect(service.verify(token).sub).to.equal('7');
      clock = T0 + 1801_000;
      const error = verifyError(service, token);
      expect(error.code).to.equal('authentication_error');
      expect(error.message).to.equal('Token has expired');
      // Verified once and remembered, it still expires on every later call.
      expect(verifyError(service, token).message).to.equal('Token has expired');
    });

    it('answers a token verified before with the same read-only claims', () => {
      const { token } = service.issue({ userId: 7, sessionId: 3 });
      const first = service.verify(token);
      expect(service.verify(token)).to.equal(first);
      expect(Object.isFrozen(first)).to.equal(true);
    });

    it('rejects a token signed with another secret', () => {
      const other = new JwtTokenService({ secretKey: 'another-secret-another-secret-another', expireMinutes: 30, now: () => clock });
      const error = verifyError(service, other.issue({ userId: 7, sessionId: 3 }).token);
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
      const [header, , signature] = service.issue({ userId: 7, sessionId: 3 }).token.split('.');
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

    it('refuses a correctly signed token whose typ is not access, or that has none', () => {
      const header = { alg: 'HS256', typ: 'JWT' };
      const { typ: _omitted, ...withoutTyp } = claimsAt(T0 / 1000);
      expect(verifyError(service, handMade(header, withoutTyp)).code).to.equal('authentication_error');
      for (const typ of ['refresh', 'ACCESS', 'reset', 1]) {
        expect(verifyError(service, handMade(header, { ...claimsAt(T0 / 1000), typ })).code, String(typ)).to.equal('authentication_error');
      }
      expect(service.verify(handMade(header, claimsAt(T0 / 1000))).typ).to.equal('access');
    });

    it('rejects correctly signed tokens with a missing or malformed sid', () => {
      const header = { alg: 'HS256', typ: 'JWT' };
      const { sid: _omitted, ...withoutSid } = claimsAt(T0 / 1000);
      expect(verifyError(service, handMade(header, withoutSid)).code).to.equal('authentication_error');
      for (const sid of [3, '0', 'x', '', '2147483648', '99999999999']) {
        expect(verifyError(service, handMade(header, { ...claimsAt(T0 / 1000), sid })).code, String(sid)).to.equal('authentication_error');
      }
    });

    it('requires the configured issuer and audience', () => {
      const scoped = new JwtTokenService({ secretKey: SECRET, expireMinutes: 15, issuer: 'https://id.example', audience: 'api', now: () => clock });
      expect(scoped.verify(scoped.issue({ userId: 7, sessionId: 3 }).token).iss).to.equal('https://id.example');
      const header = { alg: 'HS256', typ: 'JWT' };
      for (const claims of [claimsAt(T0 / 1000), { ...claimsAt(T0 / 1000), iss: 'https://other', aud: 'api' }, { ...claimsAt(T0 / 1000), iss: 'https://id.example', aud: 'web' }]) {
        expect(verifyError(scoped, handMade(header, claims)).code).to.equal('authentication_error');
      }
    });

    it('rejects a correctly signed token without exp', () => {
      const { exp: _omitted, ...withoutExp } = claimsAt(T0 / 1000);
      expect(verifyError(service, handMade({ alg: 'HS256', typ: 'JWT' }, withoutExp)).code).to.equal('authentication_error');
    });

    it('rejects a correctly signed token that is not valid before a later time (nbf)', () => {
      const header = { alg: 'HS256', typ: 'JWT' };
      expect(verifyError(service, handMade(header, { ...claimsAt(T0 / 1000), nbf: T0 / 1000 + 60 })).code).to.equal('authentication_error');
      expect(verifyError(service, handMade(header, { ...claimsAt(T0 / 1000), nbf: 'soon' })).code).to.equal('authentication_error');
      expect(service.verify(handMade(header, { ...claimsAt(T0 / 1000), nbf: T0 / 1000 })).sub).to.equal('7');
    });

    it('accepts and refuses exactly the tokens jsonwebtoken.verify does (HS256 pinned, same clock)', () => {
      const scoped = new JwtTokenService({ secretKey: SECRET, expireMinutes: 15, issuer: 'iss', audience: 'api', now: () => clock });
      const now = T0 / 1000;
      const good = handMade({ alg: 'HS256', typ: 'JWT' }, { ...claimsAt(now), iss: 'iss', aud: 'api' });
      const [h, p, sig] = good.split('.') as [string, string, string];
      const candidates = [
        good,
        scoped.issue({ userId: 7, sessionId: 3 }).token,
        handMade({ alg: 'HS256' }, { ...claimsAt(now), iss: 'iss', aud: ['web', 'api'] }),
        handMade({ alg: 'HS256' }, { ...claimsAt(now), iss: 'iss', aud: ['web'] }),
        handMade({ alg: 'HS256' }, { ...claimsAt(now - 1800), iss: 'iss', aud: 'api' }),
        handMade({ alg: 'HS256' }, { ...claimsAt(now - 1799), iss: 'iss', aud: 'api' }),
        handMade({ alg: 'HS256' }, { ...claimsAt(now), exp: 'later', iss: 'iss', aud: 'api' }),
        handMade({ alg: 'HS256' }, { ...claimsAt(now), nbf: now + 1, iss: 'iss', aud: 'api' }),
        handMade({ alg: 'HS256' }, { ...claimsAt(now), iss: 'other', aud: 'api' }),
        handMade({ alg: 'HS384' }, { ...claimsAt(now), iss: 'iss', aud: 'api' }),
        handMade({ alg: 'hs256' }, { ...claimsAt(now), iss: 'iss', aud: 'api' }),
        `${h}.${p}.${sig.slice(0, -1)}`,
        `${h}.${p}.${sig}A`,
        `${h}.${p}.${sig}.`,
        `${h}.${p}`,
        `.${p}.${sig}`,
        `${h}..${sig}`,
        `${h}=.${p}.${sig}`,
        `${b64('HS256')}.${p}.${sig}`,
        `${h}.${p}.${Buffer.from(sig, 'base64url').toString('base64')}`,
        `${h}.${p} .${sig}`,
      ];
      for (const token of candidates) {
        let expected: string;
        try {
          jwt.verify(token, SECRET, { algorithms: ['HS256'], clockTimestamp: now, issuer: 'iss', audience: 'api' });
          expected = 'valid';
        } catch (error) {
          expected = error instanceof jwt.TokenExpiredError ? 'Token has expired' : 'Could not validate credentials';
        }
        let actual: string;
        try {
          scoped.verify(token);
          actual = 'valid';
        } catch (error) {
          actual = (error as AppError).message;
        }
        expect(actual, token).to.equal(expected);
      }
    });

    it('rejects garbage', () => {
      for (const token of ['', 'abc', 'a.b.c', 'Bearer x']) {
        expect(verifyError(service, token).code, token).to.equal('authentication_error');
      }
    });
  });
});
