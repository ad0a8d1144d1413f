import { inject, injectable } from 'inversify';
import { CACHE, cacheKeys, type Cache } from '../cache/cache';
import { EXECUTION_CONTEXT, type ExecutionContext } from '../context/execution-context';
import { UNIT_OF_WORK, type UnitOfWork } from '../database/unit-of-work';
import type { AdminUserInput, NewUserInput, Page, User, UserChanges, UserListQuery, UserUpdateInput } from '../domain/types';
import { USER_FIELDS, type UserFields } from '../domain/user-fields';
import { authenticationError, authorizationError, notFoundError, validationError } from '../errors/app-error';
import type { UserCreateSource } from '../events/core-events';
import { EVENT_BUS, type EventBus } from '../events/event-bus';
import { SESSION_REPOSITORY, type SessionRepository } from '../repositories/session-repository';
import { USER_REPOSITORY, type UserRepository } from '../repositories/user-repository';
import { validate, VALIDATION_MESSAGE } from '../schemas/input';
import { USER_SCHEMAS, type UserSchemas } from '../schemas/user';
import { PASSWORD_HASHER, type PasswordHasher } from '../security/password-hasher';
import { createUsersInBulk } from './bulk-create';
import { importUsers, type ImportOptions, type ImportRow, type ImportSummary } from './import-users';
import { seedUsers, type SeedUsersOptions } from './seed-users';
import { assertAvailable, hashOptions, withoutHash, WRONG_CURRENT_PASSWORD } from './user-rules';

export type { SeedUsersOptions } from './seed-users';
export type { ImportFailure, ImportOptions, ImportRow, ImportSummary } from './import-users';

/** What {@link UserService.ensureSuperuser} did. */
export interface EnsureSuperuserResult {
  user: User;
  created: boolean;
  promoted: boolean;
}

/** A validated create input: the schema's output, columns plus the password. */
type ValidCreate = Record<string, unknown> & { email: string; username: string; password: string };

const USER_NOT_FOUND = 'User not found';

/**
 * User management: registration, admin create, read, update, delete, list, bulk create, the
 * first superuser and benchmark seeding. Inputs are validated with the same schemas as the
 * HTTP bodies (docs/reference/routes.md "Schemas"), so a worker meets the same rules and the
 * same field names. Permission is always decided before existence, so a normal user cannot
 * probe which ids exist. Every change emits its event inside its transaction.
 */
@injectable()
export class UserService {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(CACHE) private readonly cache: Cache,
    @inject(USER_FIELDS) private readonly fields: UserFields,
    @inject(USER_SCHEMAS) private readonly schemas: UserSchemas,
    @inject(EVENT_BUS) private readonly events: EventBus,
    @inject(EXECUTION_CONTEXT) private readonly context: ExecutionContext,
  ) {}

  /**
   * Registers a normal (active, non-super) user from a `UserCreate` input; flags and unknown
   * keys are ignored. Email conflicts are checked before username conflicts.
   *
   * @throws AppError `validation_error` (422) or `conflict_error` (409).
   */
  async register(input: NewUserInput): Promise<User> {
    return this.insert(await validate(this.schemas.create, input), 'register', null);
  }

  /**
   * Creates a user as an admin, who may also set `is_active` and `is_superuser`.
   *
   * @throws AppError 422, 409, or `authorization_error` (403) when `actor` is not a superuser.
   */
  async createUser(input: AdminUserInput, actor: User | null = null): Promise<User> {
    if (actor && !actor.is_superuser) throw authorizationError();
    return this.insert(await validate(this.schemas.adminCreate, input), 'admin', actor);
  }

  /**
   * Reads one user: yourself, or anyone when you are a superuser.
   *
   * @throws AppError `authorization_error` (403) for another id, even one that does not
   *   exist; `not_found_error` (404).
   */
  async getUser(actor: User, id: number): Promise<User> {
    this.assertSelfOrSuperuser(actor, id);
    const user = await this.users.getById(id);
    if (!user) throw notFoundError(USER_NOT_FOUND);
    return user;
  }

  /**
   * Updates a user. Order: validation, permission (self or superuser; fields only an admin
   * may set need a superuser), existence, re-authentication (users changing their own email
   * or password send `current_password`), conflicts with other users (email first), then one
   * transaction that writes the row, revokes the user's other sessions on a password change
   * (the caller's `currentSessionId` survives when they change their own) and emits
   * `user.updated`, plus `password.changed` / `email.changed`. A new email is unverified.
   *
   * @throws AppError 422 (also `current_password` missing), 401 (`current_password` wrong),
   *   403, 404 or 409.
   */
  async updateUser(actor: User, id: number, input: UserUpdateInput, currentSessionId?: number): Promise<User> {
    const valid: Record<string, unknown> = await validate(this.schemas.update, input);
    this.assertSelfOrSuperuser(actor, id);
    if (!actor.is_superuser) this.assertSelfWritable(valid);
    const before = await this.users.getById(id);
    if (!before) throw notFoundError(USER_NOT_FOUND);
    const { password, current_password, ...columns } = valid as Record<string, unknown> & { password?: string; current_password?: string };
    const emailChanges = columns.email !== undefined && columns.email !== before.email;
    if (actor.id === id && (password !== undefined || emailChanges)) await this.reauthenticate(id, current_password);
    await assertAvailable(this.users, columns as { email?: string; username?: string }, id);

    const changes: UserChanges = { ...columns };
    // A new address is unverified until its link is confirmed, unless an admin says otherwise.
    if (emailChanges && columns.email_verified === undefined) changes.email_verified = false;
    if (password !== undefined) changes.hashed_password = await this.hasher.hash(password, hashOptions(this.context));
    // Only the caller's own session is spared; an admin resetting someone's password ends all of theirs.
    const keepSession = actor.id === id ? currentSessionId : undefined;
    const updated = await this.uow.run(async () => {
      const user = await this.users.update(id, changes);
      if (!user) return null;
      const changed = Object.keys(changes)
        .filter((name) => name !== 'hashed_password')
        .filter((name) => !sameValue(before[name as keyof User], user[name as keyof User]));
      if (password !== undefined) {
        changed.push('password');
        const ended = await this.sessions.revokeAllForUser(id, keepSession);
        if (ended.length > 0) {
          await this.events.emit('session.ended', { user_id: id, session_ids: ended, reason: 'password_changed', actor });
        }
      }
      await this.events.emit('user.updated', { user, before, changed, actor });
      if (password !== undefined) await this.events.emit('password.changed', { user, actor });
      if (emailChanges) await this.events.emit('email.changed', { user, previous_email: before.email, actor });
      return user;
    });
    if (!updated) throw notFoundError(USER_NOT_FOUND);
    await this.invalidate(cacheKeys.userScope(id), cacheKeys.dashboardScope());
    return updated;
  }

  /**
   * Deletes a user; its sessions go by cascade, so its tokens stop working at once.
   *
   * @throws AppError `authorization_error` (403) unless the actor is a superuser; 404.
   */
  async deleteUser(actor: User, id: number): Promise<void> {
    if (!actor.is_superuser) throw authorizationError();
    const deleted = await this.uow.run(async () => {
      const user = await this.users.getById(id);
      if (!user || !(await this.users.delete(id))) return false;
      await this.events.emit('user.deleted', { user, actor });
      return true;
    });
    if (!deleted) throw notFoundError(USER_NOT_FOUND);
    await this.invalidate(cacheKeys.userScope(id), cacheKeys.dashboardScope());
  }

  /**
   * One page of users: the `GET /users` query (paging, search, sort, and an equality filter
   * per filterable field), validated with the route's own schema.
   *
   * @throws AppError `validation_error` (422) for a bad page, size, sort or filter value.
   */
  async listUsers(query: Partial<Record<keyof UserListQuery, unknown>> = {}): Promise<Page<User>> {
    return this.users.list(await validate(this.schemas.listQuery, query));
  }

  /**
   * Creates 1..`bulkMax` users, all or nothing, returned in input order. Every item is
   * validated first (all errors at once, fields `<i>.<field>`); duplicates inside the batch
   * and against the table are 409 naming the item; passwords are hashed in parallel on the
   * hashing pool; one transaction inserts them all, emits `user.created` for each, then
   * `users.bulk_created` once for the batch.
   */
  async bulkCreate(inputs: NewUserInput[], actor: User | null = null): Promise<User[]> {
    const users = await createUsersInBulk(await validate(this.schemas.bulk, inputs), {
      users: this.users,
      uow: this.uow,
      hasher: this.hasher,
      hashOptions: hashOptions(this.context),
      onCreated: async (created) => {
        for (const user of created) await this.events.emit('user.created', { user, actor, source: 'bulk' });
        await this.events.emit('users.bulk_created', { users: created, actor });
      },
    });
    await this.invalidate(cacheKeys.dashboardScope());
    return users;
  }

  /**
   * Imports existing users (docs/guides/workers.md "Importing users"): rows as an admin
   * creates them, each with a plain `password` (hashed here, under the password rule) or a
   * `password_hash` kept as it is (bcrypt `$2a$`/`$2b$`/`$2y$`, argon2id). Bad rows, taken
   * emails or usernames and repeats are reported by index; the rest are written in batches,
   * each all or nothing, emitting `user.created` (source `import`). No mails are sent.
   */
  async importUsers(rows: readonly ImportRow[], options: ImportOptions = {}): Promise<ImportSummary> {
    const summary = await importUsers(rows, options, {
      users: this.users,
      uow: this.uow,
      hasher: this.hasher,
      schemas: this.schemas,
      hashOptions: hashOptions(this.context),
      onCreated: (user) => this.events.emit('user.created', { user, actor: null, source: 'import' }),
    });
    if (summary.created > 0) await this.invalidate(cacheKeys.dashboardScope());
    return summary;
  }

  /**
   * Makes sure a superuser with this email or username exists: creates it when neither is
   * taken, otherwise promotes (and activates) the user holding the email, or else the
   * username. An existing user's password is left alone.
   */
  async ensureSuperuser(input: NewUserInput): Promise<EnsureSuperuserResult> {
    const valid = (await validate(this.schemas.create, input)) as ValidCreate;
    const existing =
      (await this.users.getByEmail(valid.email)) ?? (await this.users.getByUsernameInsensitive(valid.username));
    if (!existing) {
      // The operator vouches for the first superuser's address (EMAIL_VERIFICATION=required).
      const user = await this.insert({ ...valid, is_active: true, is_superuser: true, email_verified: true }, 'superuser', null);
      return { user, created: true, promoted: false };
    }
    if (existing.is_superuser && existing.is_active) return { user: withoutHash(existing), created: false, promoted: false };
    const before = withoutHash(existing);
    const promoted = await this.uow.run(async () => {
      const user = await this.users.update(existing.id, { is_superuser: true, is_active: true });
      if (user) await this.events.emit('user.updated', { user, before, changed: ['is_superuser', 'is_active'], actor: null });
      return user;
    });
    if (!promoted) throw notFoundError(USER_NOT_FOUND);
    await this.invalidate(cacheKeys.userScope(existing.id), cacheKeys.dashboardScope());
    return { user: promoted, created: false, promoted: true };
  }

  /**
   * Inserts `count` generated users sharing one password (hashed once), batch by batch, each
   * batch in its own transaction: for benchmarks and the CLI. Seeding emits no events (no
   * hooks run). Returns how many were inserted.
   */
  async seedUsers(options: SeedUsersOptions): Promise<number> {
    const inserted = await seedUsers(options, { users: this.users, uow: this.uow, hasher: this.hasher });
    await this.invalidate(cacheKeys.dashboardScope());
    return inserted;
  }

  /** Checks availability, hashes outside any transaction, then inserts and emits in one. */
  private async insert(valid: Record<string, unknown>, source: UserCreateSource, actor: User | null): Promise<User> {
    const { password, ...columns } = valid as ValidCreate;
    const hashing = hashOptions(this.context);
    // As a login does: a place in the hashing queue before the lookups, or 503 at once.
    const release = this.hasher.reserve?.(hashing);
    let hashed_password: string;
    try {
      await assertAvailable(this.users, columns as { email: string; username: string });
      hashed_password = await this.hasher.hash(password, hashing);
    } finally {
      release?.();
    }
    const user = await this.uow.run(async () => {
      const created = await this.users.create({ ...(columns as { email: string; username: string }), hashed_password });
      await this.events.emit('user.created', { user: created, actor, source });
      return created;
    });
    await this.invalidate(cacheKeys.dashboardScope());
    return user;
  }

  /**
   * A user changing their own email or password proves they know the current password, so a
   * stolen access token alone cannot take the account over (docs/guides/security.md).
   */
  private async reauthenticate(id: number, currentPassword: string | undefined): Promise<void> {
    if (currentPassword === undefined) {
      throw validationError(VALIDATION_MESSAGE, [
        { type: 'required', message: 'is required to change your own email or password', field: 'current_password' },
      ]);
    }
    const record = await this.users.getRecordById(id);
    if (!record || !(await this.hasher.verify(currentPassword, record.hashed_password, hashOptions(this.context)))) {
      throw authenticationError(WRONG_CURRENT_PASSWORD);
    }
  }

  private assertSelfOrSuperuser(actor: User, id: number): void {
    if (!actor.is_superuser && actor.id !== id) throw authorizationError();
  }

  /** A normal user may send only the fields a user may set on their own account. */
  private assertSelfWritable(valid: Record<string, unknown>): void {
    const adminOnly = Object.keys(valid).filter((name) => name !== 'password' && name !== 'current_password' && !this.fields.get(name)?.setBy.includes('self'));
    if (adminOnly.length > 0) throw authorizationError(`Only a superuser may change ${adminOnly.join(' or ')}`);
  }

  /** Bumps the scopes after commit, so the next read of each refills at once (docs/decisions.md "Caching"). */
  private async invalidate(...scopes: string[]): Promise<void> {
    try {
      await this.cache.bump(...scopes);
    } catch {
      // The Cache port does not throw; a failed invalidation must not undo a committed write.
    }
  }
}

/** Equal as stored values (Dates by time). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}
