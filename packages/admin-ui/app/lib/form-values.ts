import type { FieldSpec } from './user-schema';

/** What a form holds: text for inputs, flags for checkboxes. */
export type FormValues = Record<string, string | boolean>;

/** An empty create form: each flag at the server's default, every input blank. */
export function blankValues(fields: readonly FieldSpec[]): FormValues {
  return Object.fromEntries(fields.map((field) => [field.name, field.kind === 'boolean' ? field.default === true : '']));
}

/** A user's current values as the edit form holds them (a password is never shown). */
export function valuesOf(fields: readonly FieldSpec[], user: Record<string, unknown>): FormValues {
  return Object.fromEntries(
    fields.map((field) => {
      const value = user[field.name];
      if (field.kind === 'boolean') return [field.name, value === true];
      return [field.name, field.kind === 'password' || value === null || value === undefined ? '' : String(value)];
    }),
  );
}

/** The wire value of one input, or undefined to leave the key out. */
function wireValue(field: FieldSpec, value: string | boolean): unknown {
  if (field.kind === 'boolean') return value === true;
  const text = field.kind === 'password' ? String(value) : String(value).trim();
  if (text === '') return field.required ? text : field.nullable ? null : undefined;
  if (field.kind === 'number') return Number(text);
  return text;
}

/**
 * The `POST /users` body: every flag (so an unticked box means false, not the default), every
 * filled input, and the required ones even when blank so the API names them.
 */
export function createBody(fields: readonly FieldSpec[], values: FormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const value = wireValue(field, values[field.name] ?? '');
    if (value !== undefined && value !== null) body[field.name] = value;
  }
  return body;
}

/** The `PATCH` body: only what changed (PATCH treats every key as a change); a blank nullable input is null. */
export function updateBody(fields: readonly FieldSpec[], values: FormValues, user: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.name] ?? '';
    if (field.kind === 'password') {
      if (value !== '') body[field.name] = value;
      continue;
    }
    // Blanking a field that cannot be null is sent as is, so the API says why it is refused.
    const wire = wireValue({ ...field, required: !field.nullable }, value);
    if (wire === undefined || wire === (user[field.name] ?? null)) continue;
    body[field.name] = wire;
  }
  return body;
}
