import { randomBytes } from 'node:crypto';
import type { UnitOfWork } from '../database/unit-of-work';
import type { NewUser } from '../domain/types';
import { validationError } from '../errors/app-error';
import { issuesToDetails, VALIDATION_MESSAGE } from '../schemas/input';
import type { UserRepository } from '../repositories/user-repository';
import type { PasswordHasher } from '../security/password-hasher';
import { passwordSchema } from '../schemas/fields';

/** Options of `UserService.seedUsers`. */
export interface SeedUsersOptions {
  /** How many users to insert (0..10,000,000). */
  count: number;
  /** The password every seeded user gets; hashed once. */
  password: string;
  /** Rows per insert and per transaction; default 1000. */
  batchSize?: number;
  /** Called after each committed batch with the number inserted so far. */
  onProgress?: (done: number) => void;
}

/** The ports seeding needs. */
export interface SeedDeps {
  users: UserRepository;
  uow: UnitOfWork;
  hasher: PasswordHasher;
}

const MAX_SEED = 10_000_000;

/**
 * Inserts `count` generated users named `seed_<n>_<run>` (`<run>` is random per call, so
 * two runs do not collide) with emails under example.com. One hash serves every row: bcrypt
 * per row would take hours for a million users. Each batch commits on its own, so progress
 * survives an interruption and memory stays flat.
 */
export async function seedUsers(options: SeedUsersOptions, deps: SeedDeps): Promise<number> {
  const { count, password, batchSize = 1000, onProgress } = options;
  if (!Number.isInteger(count) || count < 0 || count > MAX_SEED) {
    throw validationError(VALIDATION_MESSAGE, [
      { type: 'out_of_range', message: `must be an integer from 0 to ${MAX_SEED}`, field: 'count' },
    ]);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw validationError(VALIDATION_MESSAGE, [
      { type: 'out_of_range', message: 'must be an integer from 1 to 10000', field: 'batchSize' },
    ]);
  }
  const parsed = passwordSchema.safeParse(password);
  if (!parsed.success) {
    throw validationError(VALIDATION_MESSAGE, issuesToDetails(parsed.error.issues, 'password'));
  }
  if (count === 0) return 0;

  const hashed_password = await deps.hasher.hash(password);
  const run = randomBytes(4).toString('hex');
  let done = 0;
  while (done < count) {
    const size = Math.min(batchSize, count - done);
    const rows: NewUser[] = [];
    for (let n = done + 1; n <= done + size; n += 1) {
      const name = `seed_${n}_${run}`;
      rows.push({ email: `${name}@example.com`, username: name, full_name: `Seed User ${n}`, hashed_password });
    }
    await deps.uow.run(() => deps.users.bulkCreate(rows));
    done += size;
    onProgress?.(done);
  }
  return done;
}
