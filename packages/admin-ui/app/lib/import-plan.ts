import { ApiError } from './api';
import { parseCsv } from './csv';
import type { FieldSpec } from './user-schema';

/** One row to import: the CSV line it came from and the bulk item it becomes. */
export interface ImportRow {
  line: number;
  item: Record<string, unknown>;
}

/** A row the server (or the reader) refused, and why, field by field. */
export interface RowFailure {
  line: number;
  /** `username` / `email`… → message; `row` when the failure is not about one field. */
  errors: Record<string, string>;
}

/** A cell as the bulk item's field takes it; an empty optional cell means "not given". */
function cellValue(field: FieldSpec, cell: string): unknown {
  if (cell === '' && !field.required) return undefined;
  if (field.kind === 'boolean') return /^(true|1|yes)$/i.test(cell.trim()) ? true : /^(false|0|no)$/i.test(cell.trim()) ? false : cell;
  if (field.kind === 'number') return cell.trim() === '' || Number.isNaN(Number(cell)) ? cell : Number(cell);
  return cell;
}

/**
 * Reads a CSV whose first row names the columns (any order, case-insensitive; unknown ones
 * ignored). `columns` are the fields of a bulk item (lib/user-schema.ts). Throws an Error
 * that says what is wrong with the file as a whole.
 */
export function readImportFile(text: string, columns: readonly FieldSpec[]): ImportRow[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new Error('The file is empty');
  const names = header.cells.map((name) => name.trim().toLowerCase());
  const missing = columns.filter((field) => field.required && !names.includes(field.name)).map((field) => field.name);
  if (missing.length > 0) throw new Error(`The first row must name the columns; missing: ${missing.join(', ')}`);
  const byName = new Map(columns.map((field) => [field.name, field]));
  return rows.map(({ line, cells }) => {
    const item: Record<string, unknown> = {};
    names.forEach((name, index) => {
      const field = byName.get(name);
      const value = field && cells[index] !== undefined ? cellValue(field, cells[index]!) : undefined;
      if (value !== undefined) item[name] = value;
    });
    return { line, item };
  });
}

/** Progress of one import, after each batch the server answered. */
export interface ImportProgress {
  done: number;
  total: number;
  created: number;
  failures: RowFailure[];
}

/** Sends one batch to `POST /users/bulk` (all or nothing) and resolves with what it created. */
export type SendBatch = (items: Record<string, unknown>[]) => Promise<unknown[]>;

/**
 * Imports rows batch by batch. The server takes a batch whole or refuses it naming
 * `body.<i>.<field>`; the rows it names are set aside with their messages and the rest of
 * the batch is sent again, so one bad row does not sink its neighbours.
 */
export async function runImport(
  rows: ImportRow[],
  options: { batchSize: number; send: SendBatch; onProgress?: (progress: ImportProgress) => void },
): Promise<ImportProgress> {
  const progress: ImportProgress = { done: 0, total: rows.length, created: 0, failures: [] };
  for (let start = 0; start < rows.length; start += options.batchSize) {
    let batch = rows.slice(start, start + options.batchSize);
    while (batch.length > 0) {
      try {
        const created = await options.send(batch.map((row) => row.item));
        progress.created += created.length;
        break;
      } catch (error) {
        const named = error instanceof ApiError ? failuresByIndex(error, batch) : new Map<number, RowFailure>();
        if (named.size === 0) {
          // Nothing names a row (rate limit, server down): the whole batch failed for one reason.
          const message = error instanceof Error ? error.message : String(error);
          progress.failures.push(...batch.map((row) => ({ line: row.line, errors: { row: message } })));
          break;
        }
        progress.failures.push(...named.values());
        batch = batch.filter((_, index) => !named.has(index));
      }
    }
    progress.done = Math.min(rows.length, start + options.batchSize);
    progress.failures.sort((a, b) => a.line - b.line);
    options.onProgress?.({ ...progress, failures: [...progress.failures] });
  }
  return progress;
}

function failuresByIndex(error: ApiError, batch: ImportRow[]): Map<number, RowFailure> {
  const failures = new Map<number, RowFailure>();
  for (const detail of error.details) {
    const match = /^body\.(\d+)(?:\.(.+))?$/.exec(detail.field ?? '');
    const index = match ? Number(match[1]) : -1;
    const row = batch[index];
    if (!row) continue;
    const failure = failures.get(index) ?? { line: row.line, errors: {} };
    const field = match?.[2] ?? 'row';
    failure.errors[field] = failure.errors[field] ? `${failure.errors[field]}; ${detail.message}` : detail.message;
    failures.set(index, failure);
  }
  return failures;
}
