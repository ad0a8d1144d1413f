import { z } from 'zod';
import { USER_SORT_FIELDS } from '../domain/types';
import { emailSchema, fullNameSchema, passwordSchema, queryBooleanSchema, textSchema, usernameSchema } from './fields';

/** `UserCreate` of SPEC §4: register and bulk items. Unknown keys (is_superuser too) are dropped. */
export const userCreateSchema = z.object({
  email: emailSchema,
  username: usernameSchema,
  password: passwordSchema,
  full_name: fullNameSchema.optional(),
});
export type UserCreateBody = z.output<typeof userCreateSchema>;

/** `UserCreateByAdmin`: `UserCreate` plus the two flags. */
export const userCreateByAdminSchema = userCreateSchema.extend({
  is_active: z.boolean().optional(),
  is_superuser: z.boolean().optional(),
});
export type UserCreateByAdminBody = z.output<typeof userCreateByAdminSchema>;

/** `UserUpdate`: any subset; explicit null is refused on every field but `full_name`. */
export const userUpdateSchema = z.object({
  email: emailSchema.optional(),
  username: usernameSchema.optional(),
  full_name: fullNameSchema.optional(),
  password: passwordSchema.optional(),
  is_active: z.boolean().optional(),
  is_superuser: z.boolean().optional(),
});
export type UserUpdateBody = z.output<typeof userUpdateSchema>;

/** A bulk body: 1..bulkMax `UserCreate` items. */
export const bulkCreateSchema = (bulkMax: number) =>
  z.array(userCreateSchema).min(1, 'must hold at least 1 user').max(bulkMax, `must hold at most ${bulkMax} users`);

/** `LoginRequest`: password plus `username` (a username or an email) or `email`. */
export const loginSchema = z
  .object({
    username: textSchema.min(1).max(255).optional(),
    email: textSchema.min(1).max(255).optional(),
    password: textSchema.min(1).max(100),
  })
  .refine((body) => body.username !== undefined || body.email !== undefined, {
    message: 'username or email is required',
    path: ['username'],
  });
export type LoginBody = z.output<typeof loginSchema>;

/** The `GET /users` query of SPEC §4. */
export const userListQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  size: z.coerce.number().int().min(1).max(100).default(50),
  is_active: queryBooleanSchema.optional(),
  is_superuser: queryBooleanSchema.optional(),
  search: textSchema.min(1).max(100).optional(),
  sort_by: z.enum(USER_SORT_FIELDS).default('created_at'),
  sort_order: z.enum(['asc', 'desc']).default('desc'),
});
export type UserListQueryInput = z.output<typeof userListQuerySchema>;

/** The `User` response body: never a password or hash. */
export const userResponseSchema = z.object({
  id: z.number().int(),
  email: z.string(),
  username: z.string(),
  full_name: z.string().nullable(),
  is_active: z.boolean(),
  is_superuser: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type UserJson = z.output<typeof userResponseSchema>;
