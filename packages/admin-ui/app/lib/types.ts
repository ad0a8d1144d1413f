/**
 * A `User` body: the fields the page's own logic reads by name. Every field, these and any a
 * host adds, is shown and edited as the server's OpenAPI document describes it
 * (lib/user-schema.ts), so no copy of the field list lives here.
 */
export interface User {
  id: number;
  username: string;
  email: string;
  is_active: boolean;
  is_superuser: boolean;
  [field: string]: unknown;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
  pages: number;
  /** Present when `total` (and so `pages`) is the server's estimate (docs/reference/routes.md "Totals"). */
  approximate?: true;
}

export interface DashboardStats {
  total_users: number;
  active_users: number;
  inactive_users: number;
  superusers: number;
  new_users_today: number;
  new_users_week: number;
  timestamp: string;
}

export interface SignupDay {
  date: string;
  count: number;
}

export interface SessionInfo {
  id: number;
  created_at: string;
  expires_at: string;
  last_used_at?: string | null;
  ip_address: string | null;
  user_agent: string | null;
}

export interface AuditEvent {
  id: number | string;
  type: string;
  occurred_at: string;
  actor_user_id: number | null;
  subject_user_id: number | null;
  ip_address: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: Record<string, unknown> | null;
}
