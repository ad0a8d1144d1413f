import { expect } from 'chai';
import { AppError, createUserFields, createUserSchemas } from '@app/core';
import { parseCsv } from './csv';
import { importUsers, type ImportTarget } from './import-users';

type Input = Parameters<ImportTarget['createUser']>[0];

const { create: schema } = createUserSchemas(createUserFields(), { bulkMax: 100 });

/** A user store that refuses taken emails and usernames like the real service does. */
function fakeTarget(taken: string[] = []) {
  const keys = new Set(taken);
  const calls = { bulk: 0, single: 0 };
  const conflict = (input: Input) => keys.has(input.email.toLowerCase()) || keys.has(input.username.toLowerCase());
  const add = (input: Input) => {
    keys.add(input.email.toLowerCase());
    keys.add(input.username.toLowerCase());
    return { id: keys.size, ...input } as never;
  };
  const target: ImportTarget = {
    async bulkCreate(inputs) {
      calls.bulk += 1;
      const seen = new Set<string>();
      for (const input of inputs) {
        const pair = [input.email.toLowerCase(), input.username.toLowerCase()];
        if (conflict(input) || pair.some((key) => seen.has(key))) throw new AppError('conflict_error', 'duplicate');
        pair.forEach((key) => seen.add(key));
      }
      return inputs.map(add);
    },
    async createUser(input) {
      calls.single += 1;
      if (conflict(input)) throw new AppError('conflict_error', 'Email already registered');
      return add(input);
    },
  };
  return { target, calls };
}

const header = 'email,username,password,full_name\n';

describe('importUsers', () => {
  it('creates valid rows in batches and reports invalid rows with their line numbers', async () => {
    const { target, calls } = fakeTarget();
    const csv = `${header}a@example.com,alice,password-1,Alice\nnot-an-email,bob,password-2,\nc@example.com,carol,password-3,\n`;
    const summary = await importUsers(target, schema, parseCsv(csv), { batchSize: 10 });
    expect(summary.created).to.equal(2);
    expect(summary.duplicates).to.deep.equal([]);
    expect(summary.invalid.map((row) => row.line)).to.deep.equal([3]);
    expect(summary.invalid[0].reasons[0]).to.match(/^email: /);
    expect(calls).to.deep.equal({ bulk: 1, single: 0 });
  });

  it('counts duplicates of the table and of the file instead of failing the batch', async () => {
    const { target } = fakeTarget(['taken@example.com']);
    const csv = `${header}taken@example.com,newname,password-1,\nx@example.com,xavier,password-2,\nX@example.com,xavier2,password-3,\n`;
    const progress: number[] = [];
    const summary = await importUsers(target, schema, parseCsv(csv), { batchSize: 10, onProgress: (n) => progress.push(n) });
    expect(summary.created).to.equal(1);
    expect(summary.duplicates.map((row) => row.line)).to.deep.equal([2, 4]);
    expect(progress.at(-1)).to.equal(3);
  });

  it('lets a later batch succeed after an earlier one fell back to single rows', async () => {
    const { target, calls } = fakeTarget(['a@example.com']);
    const csv = `${header}a@example.com,aa1,password-1,\nb@example.com,bb1,password-2,\nc@example.com,cc1,password-3,\nd@example.com,dd1,password-4,\n`;
    const summary = await importUsers(target, schema, parseCsv(csv), { batchSize: 2 });
    expect(summary.created).to.equal(3);
    expect(calls).to.deep.equal({ bulk: 2, single: 2 });
  });

  it('refuses a file whose header lacks a required column', async () => {
    const { target } = fakeTarget();
    const failure = await importUsers(target, schema, parseCsv('email,username\na@example.com,alice\n')).catch((e: Error) => e);
    expect(failure).to.be.instanceOf(Error).with.property('message').that.contains('password');
  });
});
