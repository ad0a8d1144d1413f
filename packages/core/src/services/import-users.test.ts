import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { AppError } from '../errors/app-error';
import { useTestCore } from '../testing/test-core';

const bcryptOf = (password: string, prefix: '$2a$' | '$2b$' | '$2y$') => bcrypt.hashSync(password, 4).replace(/^\$2[aby]\$/, prefix);
const ARGON2ID = '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG';

describe('UserService.importUsers (SQLite)', () => {
  const fixture = useTestCore();

  it('keeps bcrypt $2a$, $2b$ and $2y$ hashes as they are, and their users log in with their old passwords', async () => {
    const { users, auth } = fixture.core.services;
    const rows = (['$2a$', '$2b$', '$2y$'] as const).map((prefix, i) => ({
      email: `old${i}@example.com`,
      username: `old_${i}`,
      password_hash: bcryptOf(`old password ${i}`, prefix),
    }));
    const summary = await users.importUsers(rows);
    expect(summary).to.deep.equal({ created: 3, failed: [] });
    for (const [i, row] of rows.entries()) {
      const login = await auth.login({ username: row.username, password: `old password ${i}` });
      expect(login.user.email).to.equal(row.email);
      const stored = await fixture.core.services.users.listUsers({ search: row.username });
      expect(stored.total).to.equal(1);
    }
  });

  it('names each bad row and why, and writes the good ones', async () => {
    const progress: number[] = [];
    const summary = await fixture.core.services.users.importUsers(
      [
        { email: 'good1@example.com', username: 'good_1', password: 'good passphrase 1' },
        { email: 'not-an-email', username: 'bad_email', password: 'good passphrase 2' },
        { email: 'weak@example.com', username: 'weak_pw', password: 'password123' },
        { email: 'both@example.com', username: 'both_pw', password: 'good passphrase 3', password_hash: ARGON2ID },
        { email: 'hash@example.com', username: 'bad_hash', password_hash: '$1$md5$notaccepted' },
        { email: 'GOOD1@example.com', username: 'good_again', password: 'good passphrase 4' },
        { email: 'old0@example.com', username: 'taken_email', password: 'good passphrase 5' },
        { email: 'good2@example.com', username: 'good_2', password: 'good passphrase 6' },
      ],
      { batchSize: 2, onProgress: (done) => progress.push(done) },
    );
    expect(summary.created).to.equal(2);
    expect(summary.failed.map((f) => f.index)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    expect(summary.failed[0]!.reasons.join()).to.match(/email/);
    expect(summary.failed[1]!.reasons.join()).to.match(/common or breached/);
    expect(summary.failed[2]!.reasons.join()).to.match(/exactly one of password and password_hash/);
    expect(summary.failed[3]!.reasons.join()).to.match(/bcrypt .* or argon2id hash/);
    expect(summary.failed[4]!.reasons).to.deep.equal(['email: repeats row 1']);
    expect(summary.failed[5]!.reasons).to.deep.equal(['email: Email already registered']);
    expect(progress.at(-1)).to.equal(8);
  });

});

describe('UserService.importUsers with hooks (SQLite)', () => {
  const stored = new Map<string, string>();
  const fixture = useTestCore({
    hooks: {
      'user.created': async ({ user }, context) => {
        if (user.username === 'refused') throw new AppError('conflict_error', 'refused by a hook');
        // The hash is in no User record: read it in the import's own transaction.
        const [row] = await context.query<{ hashed_password: string }>('SELECT hashed_password FROM users WHERE id = :id', { id: user.id });
        stored.set(user.username, row!.hashed_password);
      },
    },
  });

  it('stores an argon2id hash verbatim and hashes a plain password under the password rule', async () => {
    const { users, auth } = fixture.core.services;
    const summary = await users.importUsers([
      { email: 'argon@example.com', username: 'argon_user', password_hash: ARGON2ID, email_verified: true },
      { email: 'plain@example.com', username: 'plain_user', password: 'a plain passphrase', full_name: 'Plain' },
    ]);
    expect(summary).to.deep.equal({ created: 2, failed: [] });
    expect(stored.get('argon_user')).to.equal(ARGON2ID);
    expect(stored.get('plain_user')).to.match(/^\$2[ab]\$/);
    expect((await auth.login({ username: 'plain_user', password: 'a plain passphrase' })).user.full_name).to.equal('Plain');
  });

  it('writes a batch whole or not at all: a refused row leaves its batch out, the other batches in', async () => {
    const rows = ['a_1', 'refused', 'b_1', 'b_2'].map((username) => ({ email: `${username}@example.com`, username, password: 'batch passphrase 1' }));
    const summary = await fixture.core.services.users.importUsers(rows, { batchSize: 2 });
    expect(summary.created).to.equal(2);
    expect(summary.failed).to.deep.equal([
      { index: 0, reasons: ['batch not written: refused by a hook'] },
      { index: 1, reasons: ['batch not written: refused by a hook'] },
    ]);
    const page = await fixture.core.services.users.listUsers({ search: '_1' });
    expect(page.items.map((user) => user.username).sort()).to.deep.equal(['b_1']);
  });
});
