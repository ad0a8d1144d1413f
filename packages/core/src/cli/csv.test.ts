import { expect } from 'chai';
import { CsvError, parseCsv } from './csv';

describe('parseCsv', () => {
  it('splits records and fields and numbers the lines', () => {
    expect(parseCsv('a,b\r\n1,2\n3,4')).to.deep.equal([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['3', '4'] },
    ]);
  });

  it('reads quoted fields with commas, escaped quotes and line breaks', () => {
    const records = parseCsv('name,note\n"Doe, Jane","say ""hi""\nagain"\nnext,row\n');
    expect(records).to.deep.equal([
      { line: 1, fields: ['name', 'note'] },
      { line: 2, fields: ['Doe, Jane', 'say "hi"\nagain'] },
      { line: 4, fields: ['next', 'row'] },
    ]);
  });

  it('keeps empty fields and skips blank lines', () => {
    expect(parseCsv('\ufeffa,,c\n\n,\n')).to.deep.equal([
      { line: 1, fields: ['a', '', 'c'] },
      { line: 3, fields: ['', ''] },
    ]);
  });

  it('refuses an unterminated quoted field, naming the line it opened on', () => {
    expect(() => parseCsv('a\n"open\nstill open')).to.throw(CsvError, 'line 2');
  });
});
