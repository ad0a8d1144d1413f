import { expect } from 'chai';
import { MAX_DETAIL_ITEMS, MAX_DETAIL_STRING, sanitizeDetails, storableIp, storableRequestId, storableUserAgent } from './audit-details';

describe('sanitizeDetails', () => {
  it('keeps only the keys the type declares and reports the others by name', () => {
    const { details, dropped } = sanitizeDetails(['reason'], { reason: 'wrong_password', identifier: 'alice', extra: 1 });
    expect(details).to.deep.equal({ reason: 'wrong_password' });
    expect(dropped).to.have.members(['identifier', 'extra']);
  });

  it('drops a key naming a secret even when a rule declared it', () => {
    const secrets = ['password', 'new_password', 'hashed_password', 'refresh_token', 'token', 'secret_key', 'jti', 'cookie', 'authorization', 'otp_code'];
    const input = Object.fromEntries(secrets.map((key) => [key, 'x']));
    const { details, dropped } = sanitizeDetails(secrets, input);
    expect(details).to.deep.equal({});
    expect(dropped).to.have.members(secrets);
  });

  it('drops secret keys nested at any depth, and secret-shaped values anywhere', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const bcrypt = '$2b$12$abcdefghijklmnopqrstuuQWERTYUIOPASDFGHJKLZXCVBNM12345';
    const { details, dropped } = sanitizeDetails(['user', 'values', 'note'], {
      user: { id: 5, hashed_password: bcrypt, profile: { session_token: 't' } },
      values: ['ok', jwt, bcrypt, '$argon2id$v=19$m=65536'],
      note: bcrypt,
    });
    expect(details).to.deep.equal({ user: { id: 5, profile: {} }, values: ['ok'] });
    expect(dropped).to.include.members(['user.hashed_password', 'user.profile.session_token', 'values.1', 'values.2', 'values.3', 'note']);
    expect(JSON.stringify(details)).to.not.include('$2b$').and.not.include('eyJ');
  });

  it('keeps field names that merely say a password changed', () => {
    expect(sanitizeDetails(['changed'], { changed: ['email', 'password'] }).details).to.deep.equal({ changed: ['email', 'password'] });
  });

  it('turns Dates into ISO strings, caps strings and arrays, and drops what is not JSON', () => {
    const at = new Date('2026-01-15T10:30:00.123Z');
    const { details, dropped } = sanitizeDetails(['at', 'long', 'many', 'fn', 'error', 'nan', 'deep'], {
      at,
      long: 'x'.repeat(1000),
      many: Array.from({ length: MAX_DETAIL_ITEMS + 5 }, (_, i) => i),
      fn: () => 1,
      error: new Error('boom'),
      nan: Number.NaN,
      deep: { a: { b: { c: { d: 1 } } } },
    });
    expect(details.at).to.equal('2026-01-15T10:30:00.123Z');
    expect((details.long as string).length).to.equal(MAX_DETAIL_STRING);
    expect(details.many).to.have.length(MAX_DETAIL_ITEMS);
    expect(details.nan).to.equal(null);
    expect(details).to.not.have.any.keys('fn', 'error');
    expect(details.deep).to.deep.equal({ a: { b: {} } });
    expect(dropped).to.include.members(['fn', 'error', 'deep.a.b.c']);
  });
});

describe('storable client fields', () => {
  it('keeps real IPv4 and IPv6 addresses and drops anything else', () => {
    expect(storableIp('203.0.113.9')).to.equal('203.0.113.9');
    expect(storableIp('2001:db8::1')).to.equal('2001:db8::1');
    expect([storableIp('evil, 1.2.3.4'), storableIp(''), storableIp(undefined), storableIp(null)]).to.deep.equal([null, null, null, null]);
  });

  it('cuts user agents and refuses NUL characters', () => {
    expect(storableUserAgent('a\u0000b')).to.equal('ab');
    expect(storableUserAgent('x'.repeat(5000))).to.have.length(512);
    expect(storableUserAgent('')).to.equal(null);
  });

  it('keeps request ids of safe characters only', () => {
    expect(storableRequestId('req-1.a_b')).to.equal('req-1.a_b');
    expect(storableRequestId('x'.repeat(129))).to.equal(null);
    expect(storableRequestId('a b')).to.equal(null);
  });
});
