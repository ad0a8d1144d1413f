/**
 * Plain domain objects shared by every layer. Repositories return these (never model
 * instances); services take and return them; the HTTP layer maps them to SPEC's snake_case
 * response bodies.
 */

/** A user as every layer above the repositories sees it: never a password hash. */
export interface User {
  id: number;
  email: string;
  username: string;
  fullName: string | null;
  isActive: boolean;
  isSuperuser: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A user row including its bcrypt hash; only the auth and user services read the hash. */
export interface UserRecord extends User {
  hashedPassword: string;
}

/** Columns written when a user row is inserted. `email` is already trimmed and lower-cased. */
export interface NewUser {
  email: string;
  username: string;
  hashedPassword: string;
  fullName?: string | null;
  isActive?: boolean;
  isSuperuser?: boolean;
}

/** Columns a user update may change; absent keys are left alone, `fullName: null` clears. */
export interface UserChanges {
  email?: string;
  username?: string;
  hashedPassword?: string;
  fullName?: string | null;
  isActive?: boolean;
  isSuperuser?: boolean;
}

/** A server-side login session. The JWT itself is never stored, only its `jti`. */
export interface Session {
  id: number;
  userId: number;
  jti: string;
  ipAddress: string | null;
  userAgent: string | null;
  isActive: boolean;
  expiresAt: Date;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Columns written when a session row is inserted. */
export interface NewSession {
  userId: number;
  jti: string;
  ipAddress?: string | null;
  userAgent?: string | null;
  expiresAt: Date;
}

export const USER_SORT_FIELDS = ['created_at', 'username', 'email'] as const;
export type UserSortField = (typeof USER_SORT_FIELDS)[number];
export type SortOrder = 'asc' | 'desc';

/** The filtered, searched, sorted, paginated user query of SPEC §4 "List users". */
export interface UserListQuery {
  /** 1-based page number. */
  page: number;
  /** Page size, 1..100. */
  size: number;
  isActive?: boolean;
  isSuperuser?: boolean;
  /** Case-insensitive substring over username, email and full name; `%` and `_` are literal. */
  search?: string;
  sortBy: UserSortField;
  sortOrder: SortOrder;
}

/** One page of results plus the total count of the unpaginated query. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
  pages: number;
}

/** The seven dashboard figures of SPEC §4, computed in one aggregate query. */
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

/** Connection-pool figures of SPEC §4 "Database metrics". */
export interface PoolMetrics {
  pool_size: number;
  checked_in: number;
  checked_out: number;
  waiting: number;
  overflow: number;
  total_connections: number;
}

export type CheckStatus = 'healthy' | 'unhealthy' | 'disabled';

/** The `/health` body of SPEC §4. */
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
}
