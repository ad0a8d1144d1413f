/**
 * Plain domain objects shared by every layer. Repositories return these (never model
 * instances); services take and return them; the HTTP layer maps them to the snake_case
 * response bodies.
 */

import type { CoreCreateInput, CoreUpdateInput, CoreUserRecord } from './user-fields';

/**
 * Where hosts add the types of their own user fields, by declaration merging:
 *
 * @example
 * const fields = { tenant_id: { type: 'string', nullable: true, setBy: ['admin'] } } as const;
 * declare module '@app/core' {
 *   interface UserExtensions extends InferUserFields<typeof fields> {}
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface UserExtensions {}

/**
 * A user as every layer above the repositories sees it, named as stored and as sent
 * (docs/reference/routes.md "User"): never a password hash.
 */
export type User = CoreUserRecord & UserExtensions;

/** What registration (and each bulk item) takes: `UserCreate` (docs/reference/routes.md "Schemas"). */
export type NewUserInput = CoreCreateInput<'register'> & Partial<UserExtensions> & { password: string };

/** What an admin's create takes: `UserCreateByAdmin`, i.e. `UserCreate` plus the flags. */
export type AdminUserInput = CoreCreateInput<'register' | 'admin'> & Partial<UserExtensions> & { password: string };

/** What an update takes (`UserUpdate`): absent keys are left alone, `null` clears a nullable field. */
export type UserUpdateInput = CoreUpdateInput &
  Partial<UserExtensions> & {
    password?: string;
    /** Required when users change their own email or password (docs/reference/routes.md). */
    current_password?: string;
  };

/** A user row including its password hash; only the auth and user services read the hash. */
export type UserRecord = User & { hashed_password: string };

/** Column values written when a user row is inserted; absent fields take their defaults. */
export type NewUser = Partial<Omit<User, 'id' | 'created_at' | 'updated_at'>> & {
  email: string;
  username: string;
  hashed_password: string;
};

/** Column values an update may change; absent keys are left alone, `null` clears a nullable field. */
export type UserChanges = Partial<Omit<User, 'id' | 'created_at' | 'updated_at'>> & { hashed_password?: string };

/**
 * A server-side login session, which is also its refresh-token family
 * (docs/guides/security.md "Tokens and sessions"). No token is stored: `jti` is the id of the
 * login's first access token, and the refresh token's hash stays in the repository.
 */
export interface Session {
  id: number;
  user_id: number;
  jti: string;
  ip_address: string | null;
  user_agent: string | null;
  is_active: boolean;
  /** When the session ends if unused: the earlier of its idle deadline and `absolute_expires_at`. */
  expires_at: Date;
  /** When the session ends however much it is used (login + `SESSION_MAX_DAYS`). */
  absolute_expires_at: Date;
  created_at: Date;
  /** The last login, refresh or request, to the minute. */
  last_used_at: Date | null;
}

/** Columns written when a session row is inserted. */
export interface NewSession {
  user_id: number;
  jti: string;
  ip_address?: string | null;
  user_agent?: string | null;
  expires_at: Date;
  absolute_expires_at: Date;
  last_used_at?: Date | null;
  /** SHA-256 of the login's refresh secret. */
  refresh_token_hash: string;
}

export type SortOrder = 'asc' | 'desc';

/**
 * The filtered, searched, sorted, paginated user query (docs/reference/routes.md "List
 * users"), flat as on the wire: every other key is an equality filter on a filterable field
 * (`is_active`, a host's `tenant_id`).
 */
export interface UserListQuery {
  /** 1-based page number. */
  page: number;
  /** Page size, 1..100. */
  size: number;
  /** Case-insensitive substring over the searchable fields; `%` and `_` are literal. */
  search?: string;
  /** A sortable field. */
  sort_by: string;
  sort_order: SortOrder;
  [filter: string]: string | number | boolean | undefined;
}

/** One page of results plus the total count of the unpaginated query. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
  pages: number;
  /**
   * Present (and true) only when `total` is an estimate: more rows matched than the list
   * counts exactly (`listExactCountLimit`), so `total` and `pages` are the database's estimate.
   */
  approximate?: true;
}

/** The seven dashboard figures (docs/reference/routes.md), computed in one aggregate query. */
export interface DashboardStats {
  total_users: number;
  active_users: number;
  inactive_users: number;
  superusers: number;
  new_users_today: number;
  new_users_week: number;
  /** ISO-8601 UTC time at which the figures were computed. */
  timestamp: string;
}

/** Connection-pool figures of docs/reference/routes.md "Database metrics". */
export interface PoolMetrics {
  pool_size: number;
  checked_in: number;
  checked_out: number;
  waiting: number;
  overflow: number;
  total_connections: number;
}

export type CheckStatus = 'healthy' | 'unhealthy' | 'disabled';

/** The `/health` body (docs/reference/routes.md "Health"). */
export interface HealthReport {
  status: 'healthy' | 'degraded' | 'unhealthy';
  app_name: string;
  version: string;
  checks: {
    database: { status: CheckStatus; provider: 'postgres' | 'sqlite' };
    cache: { status: CheckStatus; backend: 'redis' | 'memory' | 'none' };
    rate_limiter: { status: CheckStatus; backend: 'redis' | 'memory' | 'none' };
  };
}

/** Who is calling, and from where: what the HTTP layer passes to auth services. */
export interface ClientInfo {
  ipAddress?: string | null;
  userAgent?: string | null;
}

/** The outcome of authenticating a bearer token. */
export interface AuthContext {
  user: User;
  session: Session;
  /** True when the session and user came from the session lookup cache (docs/guides/scaling.md). */
  cached?: boolean;
}
