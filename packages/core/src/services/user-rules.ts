import type { ExecutionContext } from '../context/execution-context';
import type { User, UserRecord } from '../domain/types';
import { conflictError } from '../errors/app-error';
import type { UserRepository } from '../repositories/user-repository';
import type { HashOptions } from '../security/password-hasher';

/** The two uniqueness conflicts (docs/reference/errors.md). */
export const EMAIL_TAKEN = 'Email already registered';
export const USERNAME_TAKEN = 'Username already taken';
/** The 401 of a wrong `current_password` (change-password, PATCH /users/:id). */
export const WRONG_CURRENT_PASSWORD = 'Current password is incorrect';

/** Drops the hash from a row so it can never travel further up than the service. */
export function withoutHash(record: UserRecord | User): User {
  const { hashed_password: _hash, ...user } = record as UserRecord;
  return user as User;
}

/**
 * Refuses an email or username that another user already holds: email first, then the
 * username case-insensitively (two usernames differing only in case may not coexist).
 * `exceptId` is the user being updated, who may keep their own values.
 *
 * @throws AppError `conflict_error` "Email already registered" / "Username already taken".
 */
export async function assertAvailable(
  users: UserRepository,
  wanted: { email?: string; username?: string },
  exceptId?: number,
): Promise<void> {
  if (wanted.email !== undefined) {
    const holder = await users.getByEmail(wanted.email);
    if (holder && holder.id !== exceptId) {
      throw conflictError(EMAIL_TAKEN, [{ type: 'conflict', message: EMAIL_TAKEN, field: 'email' }]);
    }
  }
  if (wanted.username !== undefined) {
    const holder = await users.getByUsernameInsensitive(wanted.username);
    if (holder && holder.id !== exceptId) {
      throw conflictError(USERNAME_TAKEN, [{ type: 'conflict', message: USERNAME_TAKEN, field: 'username' }]);
    }
  }
}

/** The hashing options of the current request: its abort signal and its fairness group. */
export function hashOptions(context: ExecutionContext): HashOptions {
  return { signal: context.signal, group: context.requestId };
}
