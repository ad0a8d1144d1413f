import { z } from 'zod';
import { emailSchema, textSchema, usernameSchema } from '../schemas/fields';

/**
 * The user, declared once. Every part of the core that knows the user's shape derives it
 * from a {@link UserFields} registry built here: the model's attributes, the wire schemas
 * (register, admin create, update, response), OpenAPI, list filters, sort and search
 * columns, export columns, and the conformance suite's expectations. Hosts add fields with
 * `createCore({ user: { fields } })` and ship the column in a migration of their own
 * (docs/guides/extending.md).
 *
 * A field has ONE name: the column, the wire key, the query parameter, the CSV header and
 * the property of the `User` record are all the same snake_case name.
 */

/** How a field is stored and what values it takes. */
export type UserFieldType = 'string' | 'text' | 'integer' | 'boolean' | 'datetime';

/** Who may set a field: on registration (and bulk create), as an admin, or on one's own account. */
export type UserFieldWriter = 'register' | 'admin' | 'self';

/** A field as a host declares it in `createCore({ user: { fields } })`. */
export interface UserFieldDefinition {
  type: UserFieldType;
  /** Longest value of a `string` field (its VARCHAR length). Default 255. */
  readonly maxLength?: number;
  /** May hold `null` (default false). A nullable field without a default starts as `null`. */
  readonly nullable?: boolean;
  /** The value a new user gets when the input leaves the field out. */
  readonly default?: string | number | boolean | null;
  /** Who may set the field. Default: nobody (the host writes it itself, e.g. in a hook). */
  readonly setBy?: readonly UserFieldWriter[];
  /** Part of every `User` response (default true). */
  readonly visible?: boolean;
  /** `GET /users?<name>=…` filters on it (equality). */
  readonly filterable?: boolean;
  /** `GET /users?sort_by=<name>` sorts by it. */
  readonly sortable?: boolean;
  /** `GET /users?search=…` matches it (case-insensitive substring; text fields only). */
  readonly searchable?: boolean;
  /** A column of the JSON and CSV exports (default: the value of `visible`). */
  readonly exported?: boolean;
  /** The input rule, replacing the one the type implies (e.g. `z.enum([...])`). */
  readonly schema?: z.ZodType;
  /** Shown in the OpenAPI document. */
  readonly description?: string;
}

/** A host's extra fields, keyed by their snake_case names. */
export type UserFieldDefinitions = Readonly<Record<string, UserFieldDefinition>>;

/** A field of the registry: its definition with every default filled in. */
export interface UserField {
  readonly name: string;
  readonly type: UserFieldType;
  readonly maxLength: number;
  readonly nullable: boolean;
  readonly default: string | number | boolean | null | undefined;
  readonly setBy: readonly UserFieldWriter[];
  readonly visible: boolean;
  readonly filterable: boolean;
  readonly sortable: boolean;
  readonly searchable: boolean;
  readonly exported: boolean;
  /** The input rule (NUL characters refused on text), nullable when the field is. */
  readonly input: z.ZodType;
  /** The response rule, for OpenAPI. */
  readonly output: z.ZodType;
  /** Set by the database, never by input (`id`, `created_at`, `updated_at`). */
  readonly system: boolean;
  /** Declared by the host rather than the core. */
  readonly host: boolean;
  readonly description?: string;
}

/** The core's own fields, in response order. `password` is an input, not a field. */
export const CORE_USER_FIELDS = {
  id: { type: 'integer', sortable: false, description: 'Database id' },
  email: {
    type: 'string',
    maxLength: 255,
    setBy: ['register', 'admin', 'self'],
    sortable: true,
    searchable: true,
    schema: emailSchema,
    description: 'Stored trimmed and lower-cased; unique',
  },
  username: {
    type: 'string',
    maxLength: 50,
    setBy: ['register', 'admin', 'self'],
    sortable: true,
    searchable: true,
    schema: usernameSchema,
    description: '3–50 letters, digits, _ and -; unique regardless of case',
  },
  full_name: {
    type: 'string',
    maxLength: 100,
    nullable: true,
    setBy: ['register', 'admin', 'self'],
    searchable: true,
  },
  is_active: { type: 'boolean', default: true, setBy: ['admin'], filterable: true },
  is_superuser: { type: 'boolean', default: false, setBy: ['admin'], filterable: true },
  email_verified: {
    type: 'boolean',
    default: false,
    setBy: ['admin'],
    filterable: true,
    description: 'Set by confirming a verification link; false again after an email change',
  },
  created_at: { type: 'datetime', sortable: true },
  updated_at: { type: 'datetime' },
} as const satisfies UserFieldDefinitions;

/** Fields whose values the database sets. */
const SYSTEM_FIELDS = new Set(['id', 'created_at', 'updated_at']);

/** Names a host field may not take: the core's own, its inputs and its hidden column. */
const RESERVED_NAMES = new Set([
  ...Object.keys(CORE_USER_FIELDS),
  'password',
  'current_password',
  'hashed_password',
  'page',
  'size',
  'search',
  'sort_by',
  'sort_order',
]);

const FIELD_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** The TypeScript value of one field definition. */
type ValueOf<D extends UserFieldDefinition> =
  | (D['type'] extends 'string' | 'text'
      ? string
      : D['type'] extends 'integer'
        ? number
        : D['type'] extends 'boolean'
          ? boolean
          : Date)
  | (D['nullable'] extends true ? null : never);

/**
 * The record type of a set of field definitions. Hosts use it to type their fields:
 * `declare module '@app/core' { interface UserExtensions extends InferUserFields<typeof fields> {} }`.
 */
export type InferUserFields<F extends UserFieldDefinitions> = { -readonly [K in keyof F]: ValueOf<F[K]> };

/** The core's part of a `User` record. */
export type CoreUserRecord = InferUserFields<typeof CORE_USER_FIELDS>;

type CoreDefinitions = typeof CORE_USER_FIELDS;
/** Core fields `W` may set. */
type WritableKeys<W extends UserFieldWriter> = {
  [K in keyof CoreDefinitions]: CoreDefinitions[K] extends { setBy: readonly (infer S)[] } ? (W extends S ? K : never) : never;
}[keyof CoreDefinitions];
/** Core fields an insert cannot leave out: not nullable and without a default. */
type RequiredKeys = {
  [K in keyof CoreDefinitions]: CoreDefinitions[K] extends { nullable: true } | { default: unknown } ? never : K;
}[keyof CoreDefinitions];

/**
 * The core's part of a create input for writer `W`, typed from {@link CORE_USER_FIELDS}:
 * required fields as required keys, the rest optional.
 */
export type CoreCreateInput<W extends UserFieldWriter> = {
  [K in WritableKeys<W> & RequiredKeys]: CoreUserRecord[K];
} & { [K in Exclude<WritableKeys<W>, RequiredKeys>]?: CoreUserRecord[K] };

/** The core's part of an update input: anything a user or an admin may set, all optional. */
export type CoreUpdateInput = { [K in WritableKeys<'self' | 'admin'>]?: CoreUserRecord[K] };

/** The input rule a type implies. */
function typeSchema(type: UserFieldType, maxLength: number): z.ZodType {
  switch (type) {
    case 'string':
      return textSchema.max(maxLength, `must be at most ${maxLength} characters`);
    case 'text':
      return textSchema;
    case 'integer':
      return z.number().int().min(-2_147_483_648).max(2_147_483_647);
    case 'boolean':
      return z.boolean();
    case 'datetime':
      return z.coerce.date();
  }
}

function outputSchema(type: UserFieldType, nullable: boolean): z.ZodType {
  const base =
    type === 'integer' ? z.number().int() : type === 'boolean' ? z.boolean() : type === 'datetime' ? z.iso.datetime() : z.string();
  return nullable ? base.nullable() : base;
}

function resolveField(name: string, definition: UserFieldDefinition, host: boolean): UserField {
  const maxLength = definition.maxLength ?? 255;
  const nullable = definition.nullable ?? false;
  const rule = definition.schema ?? typeSchema(definition.type, maxLength);
  const visible = definition.visible ?? true;
  return Object.freeze({
    name,
    type: definition.type,
    maxLength,
    nullable,
    default: definition.default,
    setBy: Object.freeze([...(definition.setBy ?? [])]),
    visible,
    filterable: definition.filterable ?? false,
    sortable: definition.sortable ?? false,
    searchable: definition.searchable ?? false,
    exported: definition.exported ?? visible,
    input: nullable ? rule.nullable() : rule,
    output: outputSchema(definition.type, nullable),
    system: !host && SYSTEM_FIELDS.has(name),
    host,
    description: definition.description,
  });
}

/** Why a host field definition is refused; names the field. */
export class UserFieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserFieldError';
  }
}

function checkHostField(name: string, definition: UserFieldDefinition): void {
  if (!FIELD_NAME.test(name)) throw new UserFieldError(`user field "${name}" must be snake_case (a-z, 0-9, _), at most 63 characters`);
  if (RESERVED_NAMES.has(name)) throw new UserFieldError(`user field "${name}" is reserved by the core`);
  if (definition.searchable && definition.type !== 'string' && definition.type !== 'text') {
    throw new UserFieldError(`user field "${name}" can be searchable only when its type is string or text`);
  }
  if (definition.filterable && definition.type === 'datetime') {
    throw new UserFieldError(`user field "${name}": datetime fields cannot be filterable`);
  }
  if (!definition.nullable && definition.default === undefined && definition.setBy?.includes('register') !== true) {
    // A required column nobody can fill at registration would make every insert fail.
    throw new UserFieldError(`user field "${name}" needs nullable: true, a default, or setBy including 'register'`);
  }
}

/**
 * The registry of one core: the core's fields followed by the host's, with the views every
 * layer derives from. Build it with {@link createUserFields}.
 */
export class UserFields {
  readonly all: readonly UserField[];
  /** Fields of every `User` response, in order. */
  readonly visible: readonly UserField[];
  readonly filterable: readonly UserField[];
  readonly sortable: readonly UserField[];
  readonly searchable: readonly UserField[];
  readonly exported: readonly UserField[];
  /** Fields with a column of their own the inputs may write (everything but system fields). */
  readonly stored: readonly UserField[];
  private readonly byName: ReadonlyMap<string, UserField>;

  constructor(fields: readonly UserField[]) {
    this.all = Object.freeze([...fields]);
    this.byName = new Map(fields.map((field) => [field.name, field]));
    this.visible = this.all.filter((field) => field.visible);
    this.filterable = this.all.filter((field) => field.filterable);
    this.sortable = this.all.filter((field) => field.sortable);
    this.searchable = this.all.filter((field) => field.searchable);
    this.exported = this.all.filter((field) => field.exported);
    this.stored = this.all.filter((field) => !field.system);
  }

  /** The field of that name, if any. */
  get(name: string): UserField | undefined {
    return this.byName.get(name);
  }

  /** Fields `writer` may set, in declaration order. */
  writableBy(writer: UserFieldWriter): UserField[] {
    return this.all.filter((field) => field.setBy.includes(writer));
  }

  /** The fields the host declared. */
  get hostFields(): UserField[] {
    return this.all.filter((field) => field.host);
  }

  /** A `User` record as the API answers it: visible fields only, times as ISO-8601 UTC strings. */
  project(user: object): Record<string, unknown> {
    return this.pick(user, this.visible);
  }

  /** A `User` record as the exports write it: exported fields only, times as ISO-8601 UTC strings. */
  exportRecord(user: object): Record<string, unknown> {
    return this.pick(user, this.exported);
  }

  private pick(user: object, fields: readonly UserField[]): Record<string, unknown> {
    const record = user as Record<string, unknown>;
    // A plain loop: this runs for every user of every answer (`/auth/me` on each request).
    const picked: Record<string, unknown> = {};
    for (const { name } of fields) {
      const value = record[name] ?? null;
      picked[name] = value instanceof Date ? value.toISOString() : value;
    }
    return picked;
  }
}

/**
 * Builds the registry: the core's fields, then the host's in the order given.
 *
 * @throws UserFieldError naming a host field that clashes, is not snake_case, or could never be filled.
 * @example
 * const fields = createUserFields({
 *   tenant_id: { type: 'string', maxLength: 64, nullable: true, setBy: ['admin'], filterable: true },
 * });
 * fields.filterable.map((field) => field.name); // ['is_active', 'is_superuser', 'tenant_id']
 */
export function createUserFields(extra: UserFieldDefinitions = {}): UserFields {
  const core = Object.entries(CORE_USER_FIELDS).map(([name, definition]) =>
    resolveField(name, definition as UserFieldDefinition, false),
  );
  const host = Object.entries(extra).map(([name, definition]) => {
    checkHostField(name, definition);
    return resolveField(name, definition, true);
  });
  return new UserFields([...core, ...host]);
}

/** Inversify token of the core's {@link UserFields}. */
export const USER_FIELDS = Symbol.for('app.UserFields');
