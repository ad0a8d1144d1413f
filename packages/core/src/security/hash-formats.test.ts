import { expect } from 'chai';
import { dummyHash, needsPrehash, needsRehash, parseHash, prehash, toBcryptSha256, withinCostBounds, type HashParams } from './hash-formats';

const bcrypt5: HashParams = { algorithm: 'bcrypt', bcryptRounds: 5, argon2: { memoryKib: 1024, timeCost: 1, parallelism: 1 } };
const argon: HashParams = { ...bcrypt5, algorithm: 'argon2id' };
const digest53 = 'PMZm8LmktTsd7IspllKQCuxS2AkoGh8VlKJ4SB73jpx8NY2H50NAa';
const argonTail = '$EupO6P8Ka9tt1EAX0Tp73A$hOTmPZy18gcvJTJtQt/Hwg';

describe('hash formats', () => {
  describe('parseHash', () => {
    it('recognises bcrypt, bcrypt-sha256 and the argon2 variants', () => {
      expect(parseHash(`$2y$12$${digest53}`)).to.deep.equal({ kind: 'bcrypt', ident: '2y', rounds: 12 });
      expect(parseHash('$bcrypt-sha256$v=2,t=2b,r=4$Ikug/eHqytlya8E59i9hkO$cIeg5P6hD.gq23my6rmEIwbmkhHbVlm')).to.deep.equal({
        kind: 'bcrypt-sha256',
        rounds: 4,
        salt: 'Ikug/eHqytlya8E59i9hkO',
        bcryptHash: '$2b$04$Ikug/eHqytlya8E59i9hkOcIeg5P6hD.gq23my6rmEIwbmkhHbVlm',
      });
      expect(parseHash(`$argon2id$v=19$m=19456,t=2,p=1${argonTail}`)).to.deep.equal({
        kind: 'argon2',
        variant: 'argon2id',
        version: 19,
        params: { memoryKib: 19456, timeCost: 2, parallelism: 1 },
      });
      expect(parseHash(`$argon2i$m=4096,t=3,p=1${argonTail}`)).to.include({ variant: 'argon2i', version: 16 });
    });

    it('recognises nothing else', () => {
      for (const hash of ['', 'x', `$2x$12$${digest53}`, `$2b$1$${digest53}`, '$bcrypt-sha256$2b,12$salt$digest', `$argon2id$v=19$m=1,t=1${argonTail}`, '$scrypt$ln=16,r=8,p=1$a$b']) {
        expect(parseHash(hash), hash).to.equal(null);
      }
    });
  });

  describe('withinCostBounds', () => {
    it('accepts bcrypt from 4 up to 15, or up to the configured cost when higher', () => {
      const at = (rounds: number) => withinCostBounds({ kind: 'bcrypt', ident: '2b', rounds }, bcrypt5);
      expect([at(3), at(4), at(15), at(16), at(31)]).to.deep.equal([false, true, true, false, false]);
      expect(withinCostBounds({ kind: 'bcrypt', ident: '2b', rounds: 18 }, { ...bcrypt5, bcryptRounds: 18 })).to.equal(true);
    });

    it('accepts argon2 up to 256 MiB, 10 passes and 16 lanes, or the configured values when higher', () => {
      const at = (memoryKib: number, timeCost: number, parallelism: number) =>
        withinCostBounds({ kind: 'argon2', variant: 'argon2id', version: 19, params: { memoryKib, timeCost, parallelism } }, argon);
      expect([at(262_144, 10, 16), at(262_145, 1, 1), at(1024, 11, 1), at(1024, 1, 17)]).to.deep.equal([true, false, false, false]);
      const big = { ...argon, argon2: { memoryKib: 524_288, timeCost: 20, parallelism: 1 } };
      expect(withinCostBounds({ kind: 'argon2', variant: 'argon2id', version: 19, params: { memoryKib: 524_288, timeCost: 20, parallelism: 1 } }, big)).to.equal(true);
    });
  });

  describe('needsRehash', () => {
    it('with bcrypt configured, is false only for $2b$ and bcrypt-sha256 at the configured cost', () => {
      const cases: Record<string, boolean> = {
        [`$2b$05$${digest53}`]: false,
        [`$2b$04$${digest53}`]: true,
        [`$2a$05$${digest53}`]: true,
        [`$2y$05$${digest53}`]: true,
        '$bcrypt-sha256$v=2,t=2b,r=5$Ikug/eHqytlya8E59i9hkO$cIeg5P6hD.gq23my6rmEIwbmkhHbVlm': false,
        '$bcrypt-sha256$v=2,t=2b,r=4$Ikug/eHqytlya8E59i9hkO$cIeg5P6hD.gq23my6rmEIwbmkhHbVlm': true,
        [`$argon2id$v=19$m=1024,t=1,p=1${argonTail}`]: true,
        garbage: true,
      };
      for (const [hash, expected] of Object.entries(cases)) expect(needsRehash(hash, bcrypt5), hash).to.equal(expected);
    });

    it('with argon2id configured, is false only for argon2id v19 with the configured parameters', () => {
      const cases: Record<string, boolean> = {
        [`$argon2id$v=19$m=1024,t=1,p=1${argonTail}`]: false,
        [`$argon2id$v=19$m=2048,t=1,p=1${argonTail}`]: true,
        [`$argon2id$v=19$m=1024,t=2,p=1${argonTail}`]: true,
        [`$argon2id$v=19$m=1024,t=1,p=2${argonTail}`]: true,
        [`$argon2id$v=16$m=1024,t=1,p=1${argonTail}`]: true,
        [`$argon2i$v=19$m=1024,t=1,p=1${argonTail}`]: true,
        [`$2b$05$${digest53}`]: true,
      };
      for (const [hash, expected] of Object.entries(cases)) expect(needsRehash(hash, argon), hash).to.equal(expected);
    });
  });

  describe('pre-hash', () => {
    it('is needed past 72 UTF-8 bytes or with a NUL, not before', () => {
      expect(needsPrehash('a'.repeat(72))).to.equal(false);
      expect(needsPrehash('a'.repeat(73))).to.equal(true);
      expect(needsPrehash('🐎'.repeat(18))).to.equal(false); // 72 bytes
      expect(needsPrehash('🐎'.repeat(18) + 'x')).to.equal(true);
      expect(needsPrehash('nul\u0000inside')).to.equal(true);
    });

    it('is base64 of HMAC-SHA-256 keyed with the salt, as passlib bcrypt_sha256 v2 computes it', () => {
      // Reference value from Python: base64.b64encode(hmac.new(b'Ikug/eHqytlya8E59i9hkO', b'password-123', 'sha256').digest())
      expect(prehash('password-123', 'Ikug/eHqytlya8E59i9hkO')).to.equal('fz4/WVlvDxXnVjdoUfzfZfldyTFQf/92rBsPS97pawA=');
    });

    it('writes the bcrypt result in the bcrypt-sha256 format, cost without a leading zero', () => {
      expect(toBcryptSha256(`$2b$04$${digest53}`)).to.equal(`$bcrypt-sha256$v=2,t=2b,r=4$${digest53.slice(0, 22)}$${digest53.slice(22)}`);
      expect(toBcryptSha256(`$2b$12$${digest53}`)).to.match(/^\$bcrypt-sha256\$v=2,t=2b,r=12\$/);
    });
  });

  describe('dummyHash', () => {
    it('is a fresh, well-formed hash at exactly the configured parameters', () => {
      for (const params of [bcrypt5, argon]) {
        const a = dummyHash(params);
        expect(parseHash(a), a).to.not.equal(null);
        expect(needsRehash(a, params), a).to.equal(false);
        expect(dummyHash(params)).to.not.equal(a);
      }
    });
  });
});
