import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { RefreshTokenCodec } from './refresh-token-codec';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

describe('RefreshTokenCodec', () => {
  const codec = new RefreshTokenCodec(SECRET);
  const fields = () => ({ sessionId: 7, generation: 2, familyId: 'family-7', secret: RefreshTokenCodec.createSecret().secret });

  describe('createSecret', () => {
    it('gives 256 random bits, base64url, stored as their SHA-256 in hex', () => {
      const { secret, hash } = RefreshTokenCodec.createSecret();
      expect(Buffer.from(secret, 'base64url')).to.have.length(32);
      expect(hash).to.equal(createHash('sha256').update(secret).digest('hex'));
      expect(RefreshTokenCodec.createSecret().secret).to.not.equal(secret);
    });
  });

  describe('encode and decode', () => {
    it('round-trips the session id, generation and secret', () => {
      const given = fields();
      const token = codec.encode(given);
      const parts = codec.decode(token);
      expect(parts).to.include({ sessionId: 7, generation: 2, secret: given.secret });
      expect(codec.isAuthentic(parts!, 'family-7')).to.equal(true);
      expect(token).to.not.include(RefreshTokenCodec.hash(given.secret));
    });

    it('decodes nothing that is not a token', () => {
      const token = codec.encode(fields());
      for (const bad of [undefined, 42, '', 'abc', `${token}.x`, token.replace(/^7\./, '07.'), token.replace(/^7\./, '-7.'), token.replace(/^7\./, '2147483648.'), token.replace(/\.2\./, '.2147483648.'), token.slice(0, -1), ` ${token}`]) {
        expect(codec.decode(bad), String(bad)).to.equal(null);
      }
    });
  });

  describe('isAuthentic', () => {
    it('refuses a token whose session id, generation, secret or MAC was changed, or another family', () => {
      const parts = codec.decode(codec.encode(fields()))!;
      expect(codec.isAuthentic({ ...parts, sessionId: 8 }, 'family-7')).to.equal(false);
      expect(codec.isAuthentic({ ...parts, generation: 1 }, 'family-7')).to.equal(false);
      expect(codec.isAuthentic({ ...parts, secret: RefreshTokenCodec.createSecret().secret }, 'family-7')).to.equal(false);
      expect(codec.isAuthentic({ ...parts, mac: parts.mac.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }, 'family-7')).to.equal(false);
      expect(codec.isAuthentic(parts, 'family-8')).to.equal(false);
    });

    it('refuses a token minted under another secret key', () => {
      const other = new RefreshTokenCodec('another-secret-that-is-long-enough-000000');
      expect(codec.isAuthentic(codec.decode(other.encode(fields()))!, 'family-7')).to.equal(false);
    });
  });
});
