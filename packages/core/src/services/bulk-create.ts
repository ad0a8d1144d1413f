import type { UnitOfWork } from '../database/unit-of-work';
import type { User } from '../domain/types';
import { conflictError, isAppError, type ErrorDetail } from '../errors/app-error';
import type { UserRepository } from '../repositories/user-repository';
import type { HashOptions, PasswordHasher } from '../security/password-hasher';
import { EMAIL_TAKEN, USERNAME_TAKEN } from './user-rules';

/** One validated bulk item: the `UserCreate` schema's output. */
export type ValidBulkItem = Record<string, unknown> & { email: string; username: string; password: string };

/** The ports a bulk create needs. */
export interface BulkCreateDeps {
  users: UserRepository;
  uow: UnitOfWork;
  hasher: PasswordHasher;
  /** The request's signal and fairness group, for every hash of the batch. */
  hashOptions: HashOptions;
  /** Runs inside the insert's transaction with every created user, in input order (the events). */
  onCreated(users: User[]): Promise<void>;
}

/**
 * The steps of `UserService.bulkCreate` after validation, cheapest refusal first:
 * duplicates inside the batch, ONE conflict query against the table, parallel hashing, then
 * one transaction for the insert and its events (so a failure or a timeout leaves nothing
 * behind).
 *
 * @throws AppError `conflict_error` (details `<i>.email` / `<i>.username`, message naming the first item).
 */
export async function createUsersInBulk(items: ValidBulkItem[], deps: BulkCreateDeps): Promise<User[]> {
  assertNoDuplicates(findBatchDuplicates(items), 'in this batch');

  await assertNoTableDuplicates(items, deps);

  // Promise.all hands every password to the hashing pool at once; it spreads them over the cores.
  const hashes = await Promise.all(items.map((item) => deps.hasher.hash(item.password, deps.hashOptions)));
  const rows = items.map(({ password: _password, ...columns }, index) => ({ ...columns, hashed_password: hashes[index]! }));
  try {
    return await deps.uow.run(async () => {
      const created = await deps.users.bulkCreate(rows);
      await deps.onCreated(created);
      return created;
    });
  } catch (error) {
    // A user created by another request after the check above: name the item it clashes with.
    if (isAppError(error) && error.code === 'conflict_error') await assertNoTableDuplicates(items, deps);
    throw error;
  }
}

async function assertNoTableDuplicates(items: ValidBulkItem[], deps: BulkCreateDeps): Promise<void> {
  const taken = await deps.users.findConflicts(
    items.map((item) => item.email),
    items.map((item) => item.username),
  );
  assertNoDuplicates(findTableDuplicates(items, taken), 'already');
}

function findBatchDuplicates(items: ValidBulkItem[]): ErrorDetail[] {
  const emails = new Map<string, number>();
  const usernames = new Map<string, number>();
  const details: ErrorDetail[] = [];
  items.forEach((item, index) => {
    const firstEmail = emails.get(item.email);
    if (firstEmail === undefined) emails.set(item.email, index);
    else details.push(duplicate('email', index, `Email duplicates item ${firstEmail} in this batch`));
    const name = item.username.toLowerCase();
    const firstName = usernames.get(name);
    if (firstName === undefined) usernames.set(name, index);
    else details.push(duplicate('username', index, `Username duplicates item ${firstName} in this batch`));
  });
  return details;
}

function findTableDuplicates(items: ValidBulkItem[], taken: User[]): ErrorDetail[] {
  const emails = new Set(taken.map((user) => user.email.toLowerCase()));
  const usernames = new Set(taken.map((user) => user.username.toLowerCase()));
  const details: ErrorDetail[] = [];
  items.forEach((item, index) => {
    if (emails.has(item.email)) details.push(duplicate('email', index, EMAIL_TAKEN));
    if (usernames.has(item.username.toLowerCase())) details.push(duplicate('username', index, USERNAME_TAKEN));
  });
  return details;
}

function duplicate(field: 'email' | 'username', index: number, message: string): ErrorDetail {
  return { type: 'conflict', message, field: `${index}.${field}` };
}

/** Throws one 409 listing every duplicate; the message names the first item. */
function assertNoDuplicates(details: ErrorDetail[], where: 'in this batch' | 'already'): void {
  if (details.length === 0) return;
  const [first] = details;
  const [index, field] = (first.field ?? '').split('.');
  const what = field === 'email' ? 'Email' : 'Username';
  const message =
    where === 'already'
      ? `Item ${index}: ${what} ${field === 'email' ? 'already registered' : 'already taken'}`
      : `Item ${index}: ${what} appears more than once in this batch`;
  throw conflictError(message, details);
}
