/** One record of a CSV file and the line it starts on (1-based, counting the header). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** Thrown for a quoted field that never closes; `line` is where it opened. */
export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
  }
}

/**
 * A small RFC 4180 parser: comma-separated fields, CRLF or LF line ends, fields in double
 * quotes may hold commas, line breaks and `""` (an escaped quote). Blank lines are skipped
 * and a leading byte-order mark is dropped. A quote inside an unquoted field is kept as is.
 *
 * @example parseCsv('a,b\n"x, y","say ""hi"""') // [{line:1,fields:['a','b']},{line:2,fields:['x, y','say "hi"']}]
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let quoteLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const endRecord = () => {
    fields.push(field);
    // A blank line is one empty field: not a record.
    if (fields.length > 1 || fields[0] !== '') records.push({ line: recordLine, fields });
    fields = [];
    field = '';
  };

  for (; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        if (char === '\n') line += 1;
        field += char;
      }
    } else if (char === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      endRecord();
      line += 1;
      recordLine = line;
    } else {
      field += char;
    }
  }
  if (quoted) throw new CsvError('unterminated quoted field', quoteLine);
  endRecord();
  return records;
}
