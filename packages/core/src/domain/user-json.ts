import type { User } from './types';
import type { UserJson } from '../schemas/user';

/** The wire shape of a user (SPEC `User`): snake_case keys, ISO-8601 UTC times with `Z`. */
export function toUserJson(user: User): UserJson {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    full_name: user.fullName,
    is_active: user.isActive,
    is_superuser: user.isSuperuser,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}
