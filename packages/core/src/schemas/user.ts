import { z } from 'zod';
import type { AdminUserInput, NewUserInput, UserListQuery, UserUpdateInput } from '../domain/types';
import type { UserField, UserFields, UserFieldWriter } from '../domain/user-fields';
import { createPasswordSchema, passwordCheckSchema, queryBooleanSchema, textSchema } from './fields';

/**
 * The wire schemas of the user, derived from the core's {@link UserFields} registry. Each is
 * THE schema of its input: the pipeline parses the request with it and the service it calls
 * enforces the same one (docs/reference/routes.md "Schemas").
 */
export interface UserSchemas {
  /** `UserCreate`: register and bulk items. Unknown keys (flags too) are dropped. */
  readonly create: z.ZodType<NewUserInput>;
  /** `UserCreateByAdmin`: `UserCreate` plus what an admin may set (`is_active`, `is_superuser`). */
  readonly adminCreate: z.ZodType<AdminUserInput>;
  /** A bulk body: 1..bulkMax `UserCreate` items. */
  readonly bulk: z.ZodType<NewUserInput[]>;
  /** `UserUpdate`: any subset of what a user or an admin may set; `null` only on nullable fields. */
  readonly update: z.ZodType<UserUpdateInput>;
  /** The `User` response body. */
  readonly response: z.ZodType<Record<string, unknown>>;
  /** The `GET /users` query: paging, search, sort, and one filter per filterable field. */
  readonly listQuery: z.ZodType<UserListQuery, Partial<Record<keyof UserListQuery, unknown>>>;
}

/** Options of {@link createUserSchemas}. */
export interface UserSchemaOptions {
  /** Most items of one bulk create. */
  bulkMax: number;
  /** Shortest new password, in characters (`PASSWORD_MIN_LENGTH`, default 8). */
  passwordMinLength?: number;
}

/** Left out of an input, a field is required unless it may be null or has a default. */
function isRequired(field: UserField): boolean {
  return !field.nullable && field.default === undefined;
}

/**
 * What the OpenAPI document says of an input field beyond its rule: its description and, on
 * create, the default the server applies. Clients such as the admin page build their forms
 * from it (docs/guides/admin.md).
 */
function documented(field: UserField, schema: z.ZodType, withDefault: boolean): z.ZodType {
  const meta = {
    ...(field.description ? { description: field.description } : {}),
    ...(withDefault && field.default !== undefined ? { default: field.default } : {}),
  };
  return Object.keys(meta).length > 0 ? schema.meta(meta) : schema;
}

function inputShape(fields: readonly UserField[], requireMissing: boolean): Record<string, z.ZodType> {
  return Object.fromEntries(
    fields.map((field) => [
      field.name,
      documented(field, requireMissing && isRequired(field) ? field.input : field.input.optional(), requireMissing),
    ]),
  );
}

function writable(fields: UserFields, ...writers: UserFieldWriter[]): UserField[] {
  return fields.all.filter((field) => writers.some((writer) => field.setBy.includes(writer)));
}

/** A filter's query-string rule: a query value is text, a worker may pass the typed value. */
function filterSchema(field: UserField): z.ZodType {
  switch (field.type) {
    case 'boolean':
      return z.union([z.boolean(), queryBooleanSchema]);
    case 'integer':
      return z.coerce.number().int();
    default:
      return textSchema.max(field.maxLength);
  }
}

/**
 * Builds the user's wire schemas from the registry.
 *
 * @example
 * const schemas = createUserSchemas(createUserFields(), { bulkMax: 100 });
 * schemas.create.parse({ email: 'A@Example.com', username: 'ada', password: 'long-enough' });
 */
export function createUserSchemas(fields: UserFields, options: UserSchemaOptions): UserSchemas {
  const passwordSchema = createPasswordSchema(options.passwordMinLength);
  const create = z.object({ ...inputShape(writable(fields, 'register'), true), password: passwordSchema });
  const adminCreate = z.object({ ...inputShape(writable(fields, 'register', 'admin'), true), password: passwordSchema });
  const bulk = z
    .array(create)
    .min(1, 'must hold at least 1 user')
    .max(options.bulkMax, `must hold at most ${options.bulkMax} users`);
  // current_password is an input only: the re-authentication of a user changing their own
  // email or password (docs/reference/routes.md "Update a user").
  const update = z.object({
    ...inputShape(writable(fields, 'self', 'admin'), false),
    password: passwordSchema.optional(),
    current_password: passwordCheckSchema.optional().meta({ description: 'Your current password: needed to change your own email or password' }),
  });
  const response = z.object(
    Object.fromEntries(
      fields.visible.map((field) => [field.name, field.description ? field.output.meta({ description: field.description }) : field.output]),
    ),
  );
  const sortable = fields.sortable.map((field) => field.name) as [string, ...string[]];
  const listQuery = z.object({
    page: z.coerce.number().int().min(1).default(1),
    size: z.coerce.number().int().min(1).max(100).default(50),
    search: textSchema.min(1).max(100).optional(),
    sort_by: z.enum(sortable).default('created_at'),
    sort_order: z.enum(['asc', 'desc']).default('desc'),
    ...Object.fromEntries(fields.filterable.map((field) => [field.name, filterSchema(field).optional()])),
  });
  // The schemas are built from the same declaration as the input types (domain/types.ts),
  // so their outputs are those types; the compiler cannot follow a runtime-built shape.
  return {
    create: create as unknown as UserSchemas['create'],
    adminCreate: adminCreate as unknown as UserSchemas['adminCreate'],
    bulk: bulk as unknown as UserSchemas['bulk'],
    update: update as unknown as UserSchemas['update'],
    response,
    listQuery: listQuery as unknown as UserSchemas['listQuery'],
  };
}

/** Inversify token of the core's {@link UserSchemas}. */
export const USER_SCHEMAS = Symbol.for('app.UserSchemas');

/** `LoginRequest`: password plus `username` (a username or an email) or `email`. */
export const loginSchema = z
  .object({
    username: textSchema.trim().min(1).max(255).optional(),
    email: textSchema.trim().min(1).max(255).optional(),
    password: passwordCheckSchema,
  })
  .refine((body) => body.username !== undefined || body.email !== undefined, {
    message: 'username or email is required',
    path: ['username'],
  });
export type LoginInput = z.input<typeof loginSchema>;
