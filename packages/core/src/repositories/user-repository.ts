import type { NewUser, Page, User, UserChanges, UserListQuery, UserRecord } from '../domain/types';

/**
 * Data access for users: no rules, no hashing, no validation. Every method joins the
 * ambient unit-of-work transaction when one is open.
 */
export interface UserRepository {
  getById(id: number): Promise<User | null>;
  /**
   * The row with its hash, for password checks. With `lock: true` inside a unit of work, the
   * row is read with a shared lock (PostgreSQL `FOR SHARE`; SQLite transactions are already
   * serialised), so a concurrent change of that user waits for the transaction to end.
   */
  getRecordById(id: number, options?: { lock?: boolean }): Promise<UserRecord | null>;
  /** Exact username match (usernames are case-sensitive as typed). */
  getByUsername(username: string): Promise<UserRecord | null>;
  /** Case-insensitive username match, for the "no two usernames differing only in case" rule. */
  getByUsernameInsensitive(username: string): Promise<UserRecord | null>;
  /** Case-insensitive email match. */
  getByEmail(email: string): Promise<UserRecord | null>;
  /** Users whose email (case-insensitive) or username (case-insensitive) is in the lists. */
  findConflicts(emails: string[], usernames: string[]): Promise<User[]>;
  create(user: NewUser): Promise<User>;
  /** Inserts all rows in one statement, returning them in input order with their ids. */
  bulkCreate(users: NewUser[]): Promise<User[]>;
  /** Applies `changes` and returns the updated user, or null if the id does not exist. */
  update(id: number, changes: UserChanges): Promise<User | null>;
  /**
   * Replaces the hash `from` by `to` (the same password, hashed anew), only while `from` is
   * still the stored one; leaves `updated_at` alone. False when the hash had changed.
   */
  replaceHash(id: number, from: string, to: string): Promise<boolean>;
  /** Deletes the user (its sessions go by cascade); false if the id did not exist. */
  delete(id: number): Promise<boolean>;
  /**
   * The filtered, searched, sorted page plus the total, ties broken by id (filters, sort and
   * search columns from the registry). Above `exactCountLimit` matches the total may be the
   * planner's estimate, and the page then says `approximate: true`.
   */
  list(query: UserListQuery): Promise<Page<User>>;
  /** Up to `limit` users with `id > afterId`, ordered by id: keyset batches for exports. */
  listAfterId(afterId: number, limit: number): Promise<User[]>;
  count(): Promise<number>;
  /**
   * The dashboard counts in ONE SQL statement (scalar `COUNT(*)` subqueries, valid on
   * PostgreSQL and SQLite, each served by an index): created at or after `todayStart` /
   * `weekStart` for the two "new" figures.
   */
  stats(since: { todayStart: Date; weekStart: Date }): Promise<UserCounts>;
  /**
   * Users created in `[start, end)` per UTC day, in ONE aggregate statement (GROUP BY the UTC
   * day of `created_at`, on PostgreSQL and SQLite alike), ascending; days without a signup are
   * absent (the service fills them).
   */
  signupsPerDay(range: { start: Date; end: Date }): Promise<DailyCount[]>;
}

/** One UTC day's count: `date` is `YYYY-MM-DD`. */
export interface DailyCount {
  date: string;
  count: number;
}

/** Raw dashboard counts as numbers (PostgreSQL returns counts as strings: converted). */
export interface UserCounts {
  total: number;
  active: number;
  inactive: number;
  superusers: number;
  newToday: number;
  newWeek: number;
}

/** How {@link UserRepository.list} counts its total (`listExactCountLimit`, docs/reference/configuration.md). */
export interface UserListSettings {
  /** Count exactly while at most this many rows match; beyond, estimate (PostgreSQL). 0: always exact. */
  exactCountLimit: number;
}

/** Inversify token of the {@link UserListSettings}. */
export const USER_LIST_SETTINGS = Symbol.for('app.UserListSettings');

export const USER_REPOSITORY = Symbol.for('app.UserRepository');
