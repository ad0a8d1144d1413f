/**
 * The user's fields as the server's own OpenAPI document describes them. The core derives
 * that document from its field registry (docs/guides/extending.md), so the page never keeps
 * a copy of the field list: a field a host adds appears in the forms, the profile, the
 * table, the filters and the CSV import by itself (docs/guides/admin.md "Fields").
 */
import type { ApiClient } from './api';

/** How a field is edited and shown. */
export type FieldKind = 'text' | 'email' | 'password' | 'number' | 'boolean' | 'datetime';

/** One field of a body, query or response schema. */
export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  nullable: boolean;
  default?: unknown;
  minLength?: number;
  maxLength?: number;
  /** The schema's description, or what its lengths say; "Optional" leads it when it may be left out. */
  hint?: string;
}

/** The fields of the user routes the page uses, by their operation ids. */
export interface UserSchema {
  /** `users.create`: the admin create form. */
  create: FieldSpec[];
  /** `users.update`, with `current_password` (a user's re-authentication for their own email or password). */
  update: FieldSpec[];
  /** `users.bulkCreate` items: the columns of a CSV import. */
  bulkItem: FieldSpec[];
  /** `users.get`'s `User` body, in the server's order. */
  response: FieldSpec[];
  /** The boolean filters of `users.list`. */
  filters: FieldSpec[];
  /** `users.list`'s `sort_by` values. */
  sortable: string[];
}

type JsonSchema = {
  type?: string | string[];
  format?: string;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minLength?: number;
  maxLength?: number;
};
type Operation = {
  operationId?: string;
  parameters?: Array<{ name: string; in: string; schema?: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
};
export type OpenApiDocument = { paths?: Record<string, Record<string, Operation>> };

/** `full_name` → "Full name", `is_active` → "Active", `created_at` → "Created", `id` → "ID". */
export function fieldLabel(name: string): string {
  if (name === 'id') return 'ID';
  const words = name.replace(/^is_/, '').replace(/_at$/, '').split('_').filter(Boolean).join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The non-null branch of a nullable schema, and whether null is allowed. */
function unwrap(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const branches = schema.anyOf ?? [];
  const isNull = (branch: JsonSchema) => branch.type === 'null';
  if (branches.length > 0) {
    const rest = branches.filter((branch) => !isNull(branch));
    // A query boolean is `true | "true"`: the boolean branch says what it is.
    const main = rest.find((branch) => branch.type === 'boolean') ?? rest[0] ?? {};
    return { schema: { ...main, description: schema.description ?? main.description, default: schema.default ?? main.default }, nullable: rest.length < branches.length };
  }
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((type) => type !== 'null');
    return { schema: { ...schema, type: types[0] }, nullable: types.length < schema.type.length };
  }
  return { schema, nullable: false };
}

function kindOf(schema: JsonSchema): FieldKind {
  if (schema.type === 'boolean') return 'boolean';
  if (schema.type === 'integer' || schema.type === 'number') return 'number';
  if (schema.format === 'date-time') return 'datetime';
  if (schema.format === 'email') return 'email';
  if (schema.format === 'password') return 'password';
  return 'text';
}

function hintOf(schema: JsonSchema, required: boolean, kind: FieldKind): string | undefined {
  const lengths =
    schema.minLength !== undefined && schema.maxLength !== undefined
      ? `${schema.minLength}–${schema.maxLength} characters`
      : schema.maxLength !== undefined
        ? `at most ${schema.maxLength} characters`
        : undefined;
  const says = schema.description ?? (kind === 'boolean' ? undefined : lengths);
  if (required || kind === 'boolean') return says;
  return says ? `Optional · ${says}` : 'Optional';
}

/** One property (or parameter) as a {@link FieldSpec}. */
export function fieldSpec(name: string, property: JsonSchema, required: boolean): FieldSpec {
  const { schema, nullable } = unwrap(property);
  const kind = kindOf(schema);
  return {
    name,
    label: fieldLabel(name),
    kind,
    required,
    nullable,
    ...(schema.default !== undefined ? { default: schema.default } : {}),
    ...(schema.minLength !== undefined ? { minLength: schema.minLength } : {}),
    ...(schema.maxLength !== undefined ? { maxLength: schema.maxLength } : {}),
    hint: hintOf(schema, required, kind),
  };
}

function objectFields(schema: JsonSchema | undefined): FieldSpec[] {
  const required = new Set(schema?.required ?? []);
  return Object.entries(schema?.properties ?? {}).map(([name, property]) => fieldSpec(name, property, required.has(name)));
}

function findOperation(doc: OpenApiDocument, id: string): Operation {
  for (const operations of Object.values(doc.paths ?? {})) {
    for (const operation of Object.values(operations)) if (operation.operationId === id) return operation;
  }
  throw new Error(`The server's OpenAPI document has no operation ${id}`);
}

const json = (content: Record<string, { schema?: JsonSchema }> | undefined) => content?.['application/json']?.schema;

/** Reads the user's fields out of an OpenAPI document; throws when an operation is missing. */
export function readUserSchema(doc: OpenApiDocument): UserSchema {
  const list = findOperation(doc, 'users.list');
  const parameters = (list.parameters ?? []).filter((parameter) => parameter.in === 'query');
  const filters = parameters
    .map((parameter) => fieldSpec(parameter.name, parameter.schema ?? {}, false))
    .filter((field) => field.kind === 'boolean');
  const sortBy = parameters.find((parameter) => parameter.name === 'sort_by')?.schema?.enum ?? [];
  return {
    create: objectFields(json(findOperation(doc, 'users.create').requestBody?.content)),
    update: objectFields(json(findOperation(doc, 'users.update').requestBody?.content)),
    bulkItem: objectFields(json(findOperation(doc, 'users.bulkCreate').requestBody?.content)?.items),
    response: objectFields(json(findOperation(doc, 'users.get').responses?.['200']?.content)),
    filters,
    sortable: sortBy.map(String),
  };
}

const loaded = new WeakMap<ApiClient, Promise<UserSchema>>();

/** The schema of this server, fetched from `{base}/openapi.json` once per page. */
export function loadUserSchema(api: ApiClient): Promise<UserSchema> {
  let schema = loaded.get(api);
  if (!schema) {
    schema = api.request<OpenApiDocument>('GET', '/openapi.json').then(readUserSchema);
    // A failed load is tried again by the next view that needs it.
    schema.catch(() => loaded.delete(api));
    loaded.set(api, schema);
  }
  return schema;
}
