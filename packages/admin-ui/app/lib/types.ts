/** The `User` body of the API (docs/reference/routes.md); `email_verified` once the server has it. */
export interface User {
  id: number;
  email: string;
  username: string;
  full_name: string | null;
  is_active: boolean;
  is_superuser: boolean;
  email_verified?: boolean;
  created_at: string;
  updated_at: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
  pages: number;
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
