import { inject, injectable } from 'inversify';
import { CACHE, cacheKeys, type Cache } from '../cache/cache';
import { CORE_CONFIG, type CoreConfig } from '../config/options';
import { UNIT_OF_WORK, type UnitOfWork } from '../database/unit-of-work';
import { USER_SORT_FIELDS, type Page, type User, type UserChanges, type UserListQuery } from '../domain/types';
import { authorizationError, notFoundError, validationError, type ErrorDetail } from '../errors/app-error';
import { SESSION_REPOSITORY, type SessionRepository } from '../repositories/session-repository';
import { USER_REPOSITORY, type UserRepository } from '../repositories/user-repository';
import { PASSWORD_HASHER, type PasswordHasher } from '../security/password-hasher';
import { createUsersInBulk } from './bulk-create';
import { seedUsers, type SeedUsersOptions } from './seed-users';
import {
  collectFlag,
  validateNewUser,
  validateUpdate,
  VALIDATION_MESSAGE,
  type NewUserInput,
  type UserUpdateInput,
} from './user-input';
import { assertAvailable, toUser } from './user-rules';

export type { NewUserInput, UserUpdateInput } from './user-input';
export type { SeedUsersOptions } from './seed-users';

/** An admin's create input: {@link NewUserInput} plus the two flags. */
export type AdminUserInput = NewUserInput & { isActive?: boolean; isSuperuser?: boolean };

/** What {@link UserService.ensureSuperuser} did. */
export interface EnsureSuperuserResult {
  user: User;
  created: boolean;
  promoted: boolean;
}

const USER_NOT_FOUND = 'User not found';

/**
 * User management: admin create, read, update, delete, list, bulk create, the first
 * superuser and benchmark seeding. Permission is always decided before existence, so a
 * normal user cannot probe which ids exist.
 */
@injectable()
export class UserService {
  constructor(
    @inject(USER_REPOSITORY) private readonly users: UserRepository,
    @inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @inject(CACHE) private readonly cache: Cache,
    @inject(CORE_CONFIG) private readonly config: CoreConfig,
  ) {}

  /**
   * Creates a user as an admin, who may set `isActive` and `isSuperuser`.
   *
   * @throws AppError `validation_error` (422) or `conflict_error` (409, email checked first).
   */
  async createUser(input: AdminUserInput): Promise<User> {
    const valid = validateNewUser(input);
    const issues: ErrorDetail[] = [];
    const isActive = collectFlag(input.isActive, 'isActive', issues);
    const isSuperuser = collectFlag(input.isSuperuser, 'isSuperuser', issues);
    if (issues.length > 0) throw validationError(VALIDATION_MESSAGE, issues);
    await assertAvailable(this.users, valid);
    const hashedPassword = await this.hasher.hash(valid.password);
    const user = await this.uow.run(() =>
      this.users.create({
        email: valid.email,
        username: valid.username,
        fullName: valid.fullName,
        hashedPassword,
        isActive: isActive ?? true,
        isSuperuser: isSuperuser ?? false,
      }),
    );
    await this.invalidate(cacheKeys.dashboardStats());
    return user;
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
   * Updates a user. Order: validation, permission (self or superuser; only superusers send
   * the flags), existence, conflicts with other users (email first), then one transaction
   * that writes the row and, on a password change, revokes the user's other sessions (the
   * caller's `currentSessionId` survives when they change their own password).
   *
   * @throws AppError 422, 403, 404 or 409.
   */
  async updateUser(actor: User, id: number, changes: UserUpdateInput, currentSessionId?: number): Promise<User> {
    const valid = validateUpdate(changes);
    this.assertSelfOrSuperuser(actor, id);
    if (!actor.isSuperuser && (valid.isActive !== undefined || valid.isSuperuser !== undefined)) {
      throw authorizationError('Only a superuser may change is_active or is_superuser');
    }
    const existing = await this.users.getById(id);
    if (!existing) throw notFoundError(USER_NOT_FOUND);
    await assertAvailable(this.users, { email: valid.email, username: valid.username }, id);

    const row: UserChanges = {};
    if (valid.email !== undefined) row.email = valid.email;
    if (valid.username !== undefined) row.username = valid.username;
    if (valid.fullName !== undefined) row.fullName = valid.fullName;
    if (valid.isActive !== undefined) row.isActive = valid.isActive;
    if (valid.isSuperuser !== undefined) row.isSuperuser = valid.isSuperuser;
    if (valid.password !== undefined) row.hashedPassword = await this.hasher.hash(valid.password);

    // Only the caller's own session is spared; an admin resetting someone's password ends all of theirs.
    const keepSession = actor.id === id ? currentSessionId : undefined;
    const updated = await this.uow.run(async () => {
      const user = await this.users.update(id, row);
      if (user && row.hashedPassword !== undefined) await this.sessions.revokeAllForUser(id, keepSession);
      return user;
    });
    if (!updated) throw notFoundError(USER_NOT_FOUND);
    await this.invalidate(...cacheKeys.ofUser(id), cacheKeys.dashboardStats());
    return updated;
  }

  /**
   * Deletes a user; its sessions go by cascade, so its tokens stop working at once.
   *
   * @throws AppError `authorization_error` (403) unless the actor is a superuser; 404.
   */
  async deleteUser(actor: User, id: number): Promise<void> {
    if (!actor.isSuperuser) throw authorizationError();
    const deleted = await this.uow.run(() => this.users.delete(id));
    if (!deleted) throw notFoundError(USER_NOT_FOUND);
    await this.invalidate(...cacheKeys.ofUser(id), cacheKeys.dashboardStats());
  }

  /**
   * One page of users. The HTTP schema validates the query; workers get the same bounds by
   * clamping (page ≥ 1, size 1–100, known sort field and order).
   */
  async listUsers(query: Partial<UserListQuery> = {}): Promise<Page<User>> {
    const page = Number.isInteger(query.page) && query.page! >= 1 ? query.page! : 1;
    const size = Number.isInteger(query.size) ? Math.min(Math.max(query.size!, 1), 100) : 50;
    const sortBy = query.sortBy && USER_SORT_FIELDS.includes(query.sortBy) ? query.sortBy : 'created_at';
    const sortOrder = query.sortOrder === 'asc' ? 'asc' : 'desc';
    const clamped: UserListQuery = { page, size, sortBy, sortOrder };
    if (query.isActive !== undefined) clamped.isActive = query.isActive;
    if (query.isSuperuser !== undefined) clamped.isSuperuser = query.isSuperuser;
    if (query.search !== undefined && query.search !== '') clamped.search = query.search.slice(0, 100);
    return this.users.list(clamped);
  }

  /**
   * Creates 1..`bulkMax` users, all or nothing, returned in input order. Every item is
   * validated first (all errors at once, fields `<i>.<field>`); duplicates inside the batch
   * and against the table are 409 naming the item; passwords are hashed in parallel on the
   * hashing pool; one transaction inserts them all.
   */
  async bulkCreate(inputs: NewUserInput[]): Promise<User[]> {
    const users = await createUsersInBulk(inputs, {
      users: this.users,
      uow: this.uow,
      hasher: this.hasher,
      bulkMax: this.config.bulkMax,
    });
    await this.invalidate(cacheKeys.dashboardStats());
    return users;
  }

  /**
   * Makes sure a superuser with this email or username exists: creates it when neither is
   * taken, otherwise promotes (and activates) the user holding the email, or else the
   * username. An existing user's password is left alone.
   */
  async ensureSuperuser(input: NewUserInput): Promise<EnsureSuperuserResult> {
    const valid = validateNewUser(input);
    const existing =
      (await this.users.getByEmail(valid.email)) ?? (await this.users.getByUsernameInsensitive(valid.username));
    if (!existing) {
      const user = await this.createUser({ ...input, isActive: true, isSuperuser: true });
      return { user, created: true, promoted: false };
    }
    if (existing.isSuperuser && existing.isActive) return { user: toUser(existing), created: false, promoted: false };
    const promoted = await this.uow.run(() => this.users.update(existing.id, { isSuperuser: true, isActive: true }));
    if (!promoted) throw notFoundError(USER_NOT_FOUND);
    await this.invalidate(...cacheKeys.ofUser(existing.id), cacheKeys.dashboardStats());
    return { user: promoted, created: false, promoted: true };
  }

  /**
   * Inserts `count` generated users sharing one password (hashed once), batch by batch, each
   * batch in its own transaction: for benchmarks and the CLI. Returns how many were inserted.
   */
  async seedUsers(options: SeedUsersOptions): Promise<number> {
    const inserted = await seedUsers(options, { users: this.users, uow: this.uow, hasher: this.hasher });
    await this.invalidate(cacheKeys.dashboardStats());
    return inserted;
  }

  private assertSelfOrSuperuser(actor: User, id: number): void {
    if (!actor.isSuperuser && actor.id !== id) throw authorizationError();
  }

  private async invalidate(...keys: string[]): Promise<void> {
    try {
      await this.cache.delete(...keys);
    } catch {
      // The Cache port does not throw; a failed invalidation must not undo a committed write.
    }
  }
}
