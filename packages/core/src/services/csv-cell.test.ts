import { expect } from 'chai';
import { csvCell, guardFormula } from './csv-cell';

describe('csvCell', () => {
  describe('the formula guard (OWASP CSV injection), cell by cell', () => {
    const guarded: Array<[string, string]> = [
      ['=1+1', 'equals'],
      ['+1', 'plus'],
      ['-1', 'minus'],
      ['@SUM(A1)', 'at'],
      ['\tx', 'tab'],
      ['\rx', 'carriage return'],
      ['|cmd', 'pipe (DDE)'],
      ['\uFF1D1+1', 'fullwidth equals'],
      ['\uFF0B1', 'fullwidth plus'],
      ['\uFF0D1', 'fullwidth minus'],
      ['\uFF20SUM(A1)', 'fullwidth at'],
      ['\uFF5Ccmd', 'fullwidth pipe'],
      [' =1', 'equals after a space'],
      ['   @x', 'at after spaces'],
      ['\n=1', 'equals after a line feed'],
      ['\n\n+1', 'plus after line feeds'],
      [' \n -1', 'minus after spaces and a line feed'],
      ['\u00a0=1', 'equals after a no-break space'],
      ['\u3000\uFF1D1', 'fullwidth equals after an ideographic space'],
      ['\t=1', 'equals after a tab'],
    ];
    for (const [cell, what] of guarded) {
      it(`prefixes a quote to a cell starting with ${what}`, () => {
        expect(guardFormula(cell)).to.equal(`'${cell}`);
      });
    }

    const untouched: Array<[string, string]> = [
      ['', 'an empty cell'],
      ['plain', 'plain text'],
      ['a=b+c', 'a formula character after the start'],
      ['alice@example.com', 'an email address'],
      [' plain', 'text after a space'],
      ['\nplain', 'text after a line feed'],
      ['1-2', 'a digit first'],
      ["'=1", 'a cell already starting with a quote'],
      ['\uFF21bc', 'a fullwidth letter'],
    ];
    for (const [cell, what] of untouched) {
      it(`leaves ${what} unchanged`, () => {
        expect(guardFormula(cell)).to.equal(cell);
      });
    }
  });

  describe('RFC 4180 quoting', () => {
    it('leaves a cell without quote, comma or line break bare', () => {
      expect(csvCell('safe')).to.equal('safe');
      expect(csvCell('')).to.equal('');
    });

    it('quotes a comma, a quote (doubled) and either line break', () => {
      expect(csvCell('a,b')).to.equal('"a,b"');
      expect(csvCell('say "hi"')).to.equal('"say ""hi"""');
      expect(csvCell('a\nb')).to.equal('"a\nb"');
      expect(csvCell('a\r\nb')).to.equal('"a\r\nb"');
    });

    it('guards first, then quotes what the guard left', () => {
      expect(csvCell('=HYPERLINK("http://evil"), "x"')).to.equal(`"'=HYPERLINK(""http://evil""), ""x"""`);
      expect(csvCell('\n=1')).to.equal(`"'\n=1"`);
      expect(csvCell('\r=1')).to.equal(`"'\r=1"`);
      expect(csvCell(' |cmd')).to.equal("' |cmd");
    });
  });
});
