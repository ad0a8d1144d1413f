import { expect } from 'chai';
import { describe, it } from 'mocha';
import { BloomFilter, isCommonPassword, readCommonPasswordList } from './common-passwords';
import { COMMON_PASSWORD_MESSAGE, createPasswordSchema, passwordCheckSchema } from './fields';

describe('the password rule', () => {
  const rule = createPasswordSchema();
  const messages = (password: string) => {
    const result = rule.safeParse(password);
    return result.success ? [] : result.error.issues.map((issue) => issue.message);
  };

  it('normalises to NFC, so the composed and decomposed forms hash the same', () => {
    expect(rule.parse('Cafe\u0301 crème 42')).to.equal('Caf\u00e9 crème 42');
    expect(passwordCheckSchema.parse('Cafe\u0301 crème 42')).to.equal('Caf\u00e9 crème 42');
  });

  it('counts characters as code points: 8 emoji are 8 characters', () => {
    expect(messages('🐴🔋📎🐎🔌🧷🦄🪫')).to.deep.equal([]);
    expect(messages('🐴🔋📎🐎🔌🧷🦄')).to.deep.equal(['must be at least 8 characters']);
  });

  it('takes the minimum length from PASSWORD_MIN_LENGTH and caps at 128 characters', () => {
    expect(createPasswordSchema(12).safeParse('eleven chrs').success).to.equal(false);
    expect(createPasswordSchema(12).safeParse('twelve chars').success).to.equal(true);
    expect(messages('x'.repeat(129))).to.deep.equal(['must be at most 128 characters']);
  });

  it('refuses a listed password in any case, saying why', () => {
    for (const common of ['password123', 'Password123', 'QWERTYUIOP', 'iloveyou1']) {
      expect(messages(common), common).to.deep.equal([COMMON_PASSWORD_MESSAGE]);
    }
    expect(messages('correct horse battery staple 9')).to.deep.equal([]);
  });

  it('takes a password of more than 72 UTF-8 bytes (the hasher reads every byte)', () => {
    expect(messages('€'.repeat(30))).to.deep.equal([]);
  });
});

describe('the common-password list', () => {
  it('holds at least 100,000 passwords of 8 characters or more, every one of them found', function () {
    this.timeout(20_000);
    const entries = readCommonPasswordList();
    expect(new Set(entries).size).to.be.at.least(100_000);
    expect(entries.filter((entry) => !isCommonPassword(entry))).to.deep.equal([]);
  });

  it('finds almost no random strings (a Bloom filter’s false positives)', () => {
    const filter = new BloomFilter(1000);
    for (let i = 0; i < 1000; i += 1) filter.add(`member-${i}`);
    let falsePositives = 0;
    for (let i = 0; i < 100_000; i += 1) if (filter.has(`stranger-${i}`)) falsePositives += 1;
    expect(falsePositives).to.equal(0);
  });
});
