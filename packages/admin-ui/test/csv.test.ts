import { expect } from 'chai';
import { CsvError, parseCsv } from '../app/lib/csv';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, keeping each row’s first line', () => {
    const rows = parseCsv('a,b\r\n"x, y","say ""hi"""\n"two\nlines",z\n');
    expect(rows).to.deep.equal([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x, y', 'say "hi"'] },
      { line: 3, cells: ['two\nlines', 'z'] },
    ]);
  });

  it('drops a byte-order mark and blank lines, keeps empty cells', () => {
    expect(parseCsv('\uFEFFa,b\n\n1,\n')).to.deep.equal([
      { line: 1, cells: ['a', 'b'] },
      { line: 3, cells: ['1', ''] },
    ]);
  });

  it('refuses a quote that is never closed, naming the line', () => {
    expect(() => parseCsv('a\n"open')).to.throw(CsvError, 'Line 2');
  });
});
