import type { z } from 'zod';
import { validationError, type ErrorDetail } from '../errors/app-error';

/** The message of every 422 the input schemas raise. */
export const VALIDATION_MESSAGE = 'Request validation failed';

/**
 * Which schema produced which parsed value. A route's body is parsed by the pipeline with
 * the very schema its service enforces; the service then recognises the object and does not
 * parse it again, while a worker calling the service with a plain object gets it parsed.
 * Keyed by identity, so a value is trusted only as the exact output of that schema.
 */
const parsedBy = new WeakMap<object, z.ZodType>();

/** Zod issues as envelope details: dotted paths, prefixed with `location` when given (`body.2.password`). */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[], location?: string): ErrorDetail[] {
  return issues.map((issue) => {
    const path = issue.path.map(String);
    const field = (location ? [location, ...path] : path).join('.');
    return { type: issue.code, message: issue.message, ...(field ? { field } : {}) };
  });
}

/** Parses `input` with `schema`, collecting its details instead of throwing. */
export async function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  location?: string,
): Promise<{ ok: true; value: z.output<S> } | { ok: false; details: ErrorDetail[] }> {
  if (typeof input === 'object' && input !== null && parsedBy.get(input) === schema) {
    return { ok: true, value: input as z.output<S> };
  }
  const result = await schema.safeParseAsync(input);
  if (!result.success) return { ok: false, details: issuesToDetails(result.error.issues, location) };
  if (typeof result.data === 'object' && result.data !== null) parsedBy.set(result.data, schema);
  return { ok: true, value: result.data };
}

/**
 * The value `schema` makes of `input`: the input itself when this schema already produced
 * it, else a fresh parse. Services call this on every input, so the rules are the same for
 * an HTTP client and a worker, and field names in errors are the input's own keys.
 *
 * @throws AppError `validation_error` (422) listing every violation, fields as dotted paths.
 */
export async function validate<S extends z.ZodType>(schema: S, input: unknown): Promise<z.output<S>> {
  const result = await parseWith(schema, input);
  if (!result.ok) throw validationError(VALIDATION_MESSAGE, result.details);
  return result.value;
}
