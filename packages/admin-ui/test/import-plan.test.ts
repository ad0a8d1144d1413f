import { expect } from 'chai';
import { ApiError } from '../app/lib/api';
import { readImportFile, runImport, type ImportProgress } from '../app/lib/import-plan';
import { fieldSpec } from '../app/lib/user-schema';

/** The bulk item's columns as the OpenAPI document gives them (a host's integer column too). */
const columns = [
  fieldSpec('email', { type: 'string', format: 'email' }, true),
  fieldSpec('username', { type: 'string' }, true),
  fieldSpec('full_name', { anyOf: [{ type: 'string' }, { type: 'null' }] }, false),
  fieldSpec('seats', { anyOf: [{ type: 'integer' }, { type: 'null' }] }, false),
  fieldSpec('password', { type: 'string', format: 'password' }, true),
];

const csv = ['Username,EMAIL,password,full_name,extra', 'a1,a1@x.io,pw-123456,,1', 'a2,bad,pw-123456,Two,2', 'a3,a3@x.io,pw-123456,Three,3'].join('\n');

describe('readImportFile', () => {
  it('maps columns by header in any order and case, leaving out unknown columns and empty names', () => {
    expect(readImportFile(csv, columns)).to.deep.equal([
      { line: 2, item: { username: 'a1', email: 'a1@x.io', password: 'pw-123456' } },
      { line: 3, item: { username: 'a2', email: 'bad', password: 'pw-123456', full_name: 'Two' } },
      { line: 4, item: { username: 'a3', email: 'a3@x.io', password: 'pw-123456', full_name: 'Three' } },
    ]);
  });

  it('turns a number column’s cells into numbers and leaves an empty optional cell out', () => {
    expect(readImportFile('email,username,password,seats\na@x.io,a,pw-123456,4\nb@x.io,b,pw-123456,', columns).map((row) => row.item.seats)).to.deep.equal([4, undefined]);
  });

  it('says which required columns the header lacks', () => {
    expect(() => readImportFile('email,name\nx,y', columns)).to.throw('missing: username, password');
    expect(() => readImportFile('', columns)).to.throw('empty');
  });
});

describe('runImport', () => {
  const rows = readImportFile(csv, columns);

  it('sets aside the rows a 422 names and sends the rest of the batch again', async () => {
    const sent: string[][] = [];
    const progress: ImportProgress[] = [];
    const result = await runImport(rows, {
      batchSize: 2,
      onProgress: (step) => progress.push(step),
      send: async (items) => {
        sent.push(items.map((item) => String(item.username)));
        const bad = items.findIndex((item) => item.email === 'bad');
        if (bad >= 0) throw new ApiError(422, 'validation_error', 'Invalid', [{ message: 'must be a valid email address', field: `body.${bad}.email` }]);
        return items;
      },
    });
    expect(sent).to.deep.equal([['a1', 'a2'], ['a1'], ['a3']]);
    expect(result.created).to.equal(2);
    expect(result.failures).to.deep.equal([{ line: 3, errors: { email: 'must be a valid email address' } }]);
    expect(progress.map((step) => step.done)).to.deep.equal([2, 3]);
  });

  it('marks a whole batch failed with the message when no detail names a row', async () => {
    const result = await runImport(rows.slice(0, 2), {
      batchSize: 5,
      send: async () => {
        throw new ApiError(429, 'rate_limit_error', 'Rate limit exceeded');
      },
    });
    expect(result.created).to.equal(0);
    expect(result.failures.map((failure) => failure.errors.row)).to.deep.equal(['Rate limit exceeded', 'Rate limit exceeded']);
  });
});
