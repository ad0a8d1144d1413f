import { AppError, type Core } from '@app/core';
import type { CsvRecord } from './csv';

/** The two user-service methods an import needs (a fake in tests, `core.services.users` in use). */
export type ImportTarget = Pick<Core['services']['users'], 'bulkCreate' | 'createUser'>;

/** The `UserCreate` schema rows are checked with: `core.schemas.create`. */
export type RowSchema = Core['schemas']['create'];

/** A row that was not created, with the CSV line it came from. */
export interface RejectedRow {
  line: number;
  reasons: string[];
}

/** What an import did. `created + duplicates.length + invalid.length` is the number of data rows. */
export interface ImportSummary {
  created: number;
  duplicates: RejectedRow[];
  invalid: RejectedRow[];
}

/** Options of {@link importUsers}. */
export interface ImportOptions {
  /** Rows per `bulkCreate` call; at most the core's `bulkMax`. Default 100. */
  batchSize?: number;
  /** Called with the number of data rows handled so far. */
  onProgress?: (done: number) => void;
}

type NewUserInput = Parameters<ImportTarget['createUser']>[0];
interface ValidRow {
  line: number;
  input: NewUserInput;
}

const REQUIRED_COLUMNS = ['email', 'username', 'password'] as const;

/**
 * Imports users from parsed CSV records whose first record is the header (`email`,
 * `username`, `password`, optional `full_name`). Each row is validated with the same
 * `UserCreate` schema the register route uses (`core.schemas.create`); valid rows are created in all-or-nothing
 * batches, and a batch refused with 409 is retried row by row so that duplicates are
 * counted instead of failing the import.
 *
 * @throws Error when a required column is missing; any non-409 service error.
 */
export async function importUsers(
  target: ImportTarget,
  schema: RowSchema,
  records: CsvRecord[],
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const { batchSize = 100, onProgress } = options;
  const [header, ...rows] = records;
  const columns = (header?.fields ?? []).map((name) => name.trim().toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((name) => !columns.includes(name));
  if (missing.length > 0) throw new Error(`the CSV header lacks the column(s): ${missing.join(', ')}`);

  const summary: ImportSummary = { created: 0, duplicates: [], invalid: [] };
  const valid: ValidRow[] = [];
  for (const row of rows) {
    const parsed = schema.safeParse(toObject(columns, row.fields));
    if (parsed.success) {
      valid.push({ line: row.line, input: parsed.data });
    } else {
      summary.invalid.push({ line: row.line, reasons: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) });
    }
  }

  let done = summary.invalid.length;
  onProgress?.(done);
  for (let start = 0; start < valid.length; start += batchSize) {
    const batch = valid.slice(start, start + batchSize);
    try {
      summary.created += (await target.bulkCreate(batch.map((row) => row.input))).length;
      done += batch.length;
      onProgress?.(done);
    } catch (error) {
      if (!isCode(error, 'conflict_error')) throw error;
      for (const row of batch) {
        await createOne(target, row, summary);
        onProgress?.((done += 1));
      }
    }
  }
  summary.invalid.sort((a, b) => a.line - b.line);
  return summary;
}

async function createOne(target: ImportTarget, row: ValidRow, summary: ImportSummary): Promise<void> {
  try {
    await target.createUser(row.input);
    summary.created += 1;
  } catch (error) {
    if (isCode(error, 'conflict_error')) summary.duplicates.push({ line: row.line, reasons: [error.message] });
    else if (isCode(error, 'validation_error')) summary.invalid.push({ line: row.line, reasons: [error.message] });
    else throw error;
  }
}

function isCode(error: unknown, code: AppError['code']): error is AppError {
  return error instanceof AppError && error.code === code;
}

// Empty cells are absent values, so an empty full_name is "no name", not "".
function toObject(columns: string[], fields: string[]): Record<string, string> {
  const object: Record<string, string> = {};
  columns.forEach((name, index) => {
    const value = fields[index];
    if (value !== undefined && value !== '') object[name] = value;
  });
  return object;
}
