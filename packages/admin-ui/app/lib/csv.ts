/**
 * A small RFC 4180 CSV reader for the import form: quoted fields (with `""` escapes, commas
 * and line breaks inside), CRLF or LF line ends, a UTF-8 byte-order mark dropped. Blank lines
 * are skipped; each row keeps the 1-based line it started on, so errors can point at it.
 */

/** One parsed row and the line of the file it starts on. */
export interface CsvRow {
  line: number;
  cells: string[];
}

/** Thrown for a quote that is never closed. */
export class CsvError extends Error {}

export function parseCsv(text: string): CsvRow[] {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let touched = false;
  const endRow = () => {
    if (touched || cells.length > 0) {
      cells.push(cell);
      if (cells.length > 1 || cells[0] !== '') rows.push({ line: rowLine, cells });
    }
    cells = [];
    cell = '';
    touched = false;
  };
  for (let index = 0; index < source.length; index += 1) {
    const character = source[index]!;
    if (quoted) {
      if (character === '"' && source[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (character === '"') {
        quoted = false;
      } else {
        if (character === '\n') line += 1;
        cell += character;
      }
      continue;
    }
    if (character === '"' && cell === '') {
      quoted = true;
      touched = true;
    } else if (character === ',') {
      cells.push(cell);
      cell = '';
      touched = true;
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && source[index + 1] === '\n') index += 1;
      endRow();
      line += 1;
      rowLine = line;
    } else {
      cell += character;
      touched = true;
    }
  }
  if (quoted) throw new CsvError(`Line ${rowLine}: a quoted field is never closed`);
  endRow();
  return rows;
}
