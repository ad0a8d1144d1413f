import { z } from 'zod';
import type { UnitOfWork } from '../database/unit-of-work';
import type { NewUser, User } from '../domain/types';
import { isAppError } from '../errors/app-error';
import type { UserRepository } from '../repositories/user-repository';
import { issuesToDetails } from '../schemas/input';
import type { UserSchemas } from '../schemas/user';
import type { HashOptions, PasswordHasher } from '../security/password-hasher';
import { EMAIL_TAKEN, USERNAME_TAKEN } from './user-rules';

/**
 * The hash formats an import takes as they are (docs/guides/workers.md "Importing users"):
 * bcrypt `$2a$`, `$2b$`, `$2y$` with a cost of 4–31, and argon2id in PHC form. They are
 * checked by shape only and stored verbatim, never re-hashed.
 */
export const IMPORTABLE_HASH = {
  bcrypt: /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/,
  argon2id: /^\$argon2id\$(v=\d+\$)?m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]{8,}\$[A-Za-z0-9+/]{16,}$/,
} as const;

/** One row of an import: a user (admin fields allowed) with `password` or `password_hash`. */
export type ImportRow = Record<string, unknown>;

/** A row that was not imported, by its 0-based position in the rows given. */
export interface ImportFailure {
  index: number;
  reasons: string[];
}

/** What an import did: `created + failed.length` is the number of rows. */
export interface ImportSummary {
  created: number;
  failed: ImportFailure[];
}

/** Options of `UserService.importUsers`. */
export interface ImportOptions {
  /** Rows per transaction (default 500, at most 5000): a batch is written whole or not at all. */
  batchSize?: number;
  /** Called after each batch with the number of rows handled so far. */
  onProgress?: (done: number) => void;
}

export interface ImportDeps {
  users: UserRepository;
  uow: UnitOfWork;
  hasher: PasswordHasher;
  schemas: UserSchemas;
  hashOptions: HashOptions;
  /** Runs inside each batch's transaction for each created user (the `user.created` event). */
  onCreated(user: User): Promise<void>;
}

type Valid = { index: number; columns: Record<string, unknown> & { email: string; username: string }; password?: string; hash?: string };

/** The row rule: the admin-create schema with `password` or `password_hash` instead of the password. */
export function importRowSchema(schemas: UserSchemas) {
  const admin = schemas.adminCreate as unknown as z.ZodObject<{ password: z.ZodType }>;
  return admin
    .omit({ password: true })
    .extend({
      // The core's own password rule (its PASSWORD_MIN_LENGTH included), as for every new password.
      password: admin.shape.password.optional(),
      password_hash: z
        .string()
        .trim()
        .refine((hash) => IMPORTABLE_HASH.bcrypt.test(hash) || IMPORTABLE_HASH.argon2id.test(hash), {
          message: 'must be a bcrypt ($2a$, $2b$, $2y$) or argon2id hash',
        })
        .optional(),
    })
    .refine((row) => (row.password === undefined) !== (row.password_hash === undefined), {
      message: 'give exactly one of password and password_hash',
      path: ['password'],
    });
}

/**
 * Imports users: every row is validated first (the bad ones are reported, never half
 * written); rows whose email or username is already taken, or repeats an earlier row, are
 * reported too; the rest are written in batches, each in one transaction. Plain passwords
 * are hashed (in parallel on the hashing pool); given hashes are stored as they are.
 */
export async function importUsers(rows: readonly ImportRow[], options: ImportOptions, deps: ImportDeps): Promise<ImportSummary> {
  const batchSize = Math.min(Math.max(Math.trunc(options.batchSize ?? 500), 1), 5000);
  const schema = importRowSchema(deps.schemas);
  const failed: ImportFailure[] = [];
  const valid: Valid[] = [];
  const seenEmails = new Map<string, number>();
  const seenNames = new Map<string, number>();
  for (const [index, row] of rows.entries()) {
    const parsed = await schema.safeParseAsync(row);
    if (!parsed.success) {
      failed.push({ index, reasons: issuesToDetails(parsed.error.issues).map((d) => (d.field ? `${d.field}: ${d.message}` : d.message)) });
      continue;
    }
    const { password, password_hash, ...columns } = parsed.data as Record<string, unknown> & { email: string; username: string };
    const reasons = [
      ...repeats(seenEmails, columns.email, index, 'email'),
      ...repeats(seenNames, columns.username.toLowerCase(), index, 'username'),
    ];
    if (reasons.length > 0) failed.push({ index, reasons });
    else valid.push({ index, columns, password: password as string | undefined, hash: password_hash as string | undefined });
  }

  let created = 0;
  let done = failed.length;
  options.onProgress?.(done);
  for (let start = 0; start < valid.length; start += batchSize) {
    const batch = await withoutTaken(valid.slice(start, start + batchSize), deps.users, failed);
    try {
      const hashes = await Promise.all(batch.map((row) => row.hash ?? deps.hasher.hash(row.password!, deps.hashOptions)));
      const news: NewUser[] = batch.map((row, i) => ({ ...row.columns, hashed_password: hashes[i]! }));
      created += await deps.uow.run(async () => {
        const users = await deps.users.bulkCreate(news);
        for (const user of users) await deps.onCreated(user);
        return users.length;
      });
    } catch (error) {
      // The batch is rolled back whole; a database or hook refusal names every row of it.
      if (!isAppError(error)) throw error;
      for (const row of batch) failed.push({ index: row.index, reasons: [`batch not written: ${error.message}`] });
    }
    done += Math.min(batchSize, valid.length - start);
    options.onProgress?.(done);
  }
  failed.sort((a, b) => a.index - b.index);
  return { created, failed };
}

function repeats(seen: Map<string, number>, key: string, index: number, field: string): string[] {
  const first = seen.get(key);
  if (first === undefined) {
    seen.set(key, index);
    return [];
  }
  return [`${field}: repeats row ${first + 1}`];
}

/** The batch without rows whose email or username an existing user holds (reported in `failed`). */
async function withoutTaken(batch: Valid[], users: UserRepository, failed: ImportFailure[]): Promise<Valid[]> {
  const taken = await users.findConflicts(
    batch.map((row) => row.columns.email),
    batch.map((row) => row.columns.username),
  );
  const emails = new Set(taken.map((user) => user.email.toLowerCase()));
  const names = new Set(taken.map((user) => user.username.toLowerCase()));
  return batch.filter((row) => {
    const reasons = [
      ...(emails.has(row.columns.email) ? [`email: ${EMAIL_TAKEN}`] : []),
      ...(names.has(row.columns.username.toLowerCase()) ? [`username: ${USERNAME_TAKEN}`] : []),
    ];
    if (reasons.length > 0) failed.push({ index: row.index, reasons });
    return reasons.length === 0;
  });
}
