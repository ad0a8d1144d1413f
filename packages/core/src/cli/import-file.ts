import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { UserFields } from '../domain/user-fields';
import type { ImportRow } from '../services/import-users';
import { parseCsv } from './csv';

/** The rows of an import file and the line each one starts on (1-based). */
export interface ImportFile {
  rows: ImportRow[];
  lines: number[];
  /** Lines that could not be read as a row at all (a JSONL line that is not an object). */
  unreadable: Array<{ line: number; reason: string }>;
}

/** Columns an import understands besides the user's fields. */
const PASSWORD_COLUMNS = ['password', 'password_hash'];

/**
 * Reads a `.csv` (header row of field names: `email,username,password` or
 * `password_hash`, `full_name`, the flags, host fields) or `.jsonl` file (one JSON object
 * per line) into rows for `core.services.users.importUsers`. CSV cells are text: boolean
 * and integer fields are converted (`true/false/1/0`), empty cells are left out.
 *
 * @throws Error for an unknown extension, a CSV header naming an unknown column, or a CSV
 *   quote that never closes (the message names the line).
 */
export async function readImportFile(path: string, fields: UserFields): Promise<ImportFile> {
  const text = await readFile(path, 'utf8');
  const type = extname(path).toLowerCase();
  if (type === '.csv') return fromCsv(text, fields);
  if (type === '.jsonl' || type === '.ndjson') return fromJsonLines(text);
  throw new Error(`${path}: expected a .csv or .jsonl file`);
}

function fromCsv(text: string, fields: UserFields): ImportFile {
  const [header, ...records] = parseCsv(text);
  const columns = (header?.fields ?? []).map((name) => name.trim().toLowerCase());
  const unknown = columns.filter((name) => !PASSWORD_COLUMNS.includes(name) && !fields.get(name));
  if (unknown.length > 0) throw new Error(`line 1: unknown column(s) ${unknown.join(', ')}`);
  const rows = records.map((record) => {
    const row: ImportRow = {};
    columns.forEach((name, index) => {
      const cell = record.fields[index];
      if (cell !== undefined && cell !== '') row[name] = cellValue(fields, name, cell);
    });
    return row;
  });
  return { rows, lines: records.map((record) => record.line), unreadable: [] };
}

/** A CSV cell as the field's type; a value that does not fit stays text, for the schema to refuse. */
function cellValue(fields: UserFields, name: string, cell: string): unknown {
  const type = fields.get(name)?.type;
  if (type === 'boolean' && /^(true|false|1|0)$/i.test(cell.trim())) return /^(true|1)$/i.test(cell.trim());
  if (type === 'integer' && /^-?\d+$/.test(cell.trim())) return Number(cell.trim());
  return cell;
}

function fromJsonLines(text: string): ImportFile {
  const file: ImportFile = { rows: [], lines: [], unreadable: [] };
  text.split(/\r?\n/).forEach((source, index) => {
    if (source.trim() === '') return;
    const line = index + 1;
    try {
      const value: unknown = JSON.parse(source);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
      file.rows.push(value as ImportRow);
      file.lines.push(line);
    } catch (error) {
      file.unreadable.push({ line, reason: error instanceof Error ? error.message : String(error) });
    }
  });
  return file;
}
