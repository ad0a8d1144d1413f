import type { z } from 'zod';
import { AppError, type ErrorDetail } from '../errors/app-error';
import { parseWith, VALIDATION_MESSAGE } from '../schemas/input';
import type { Route } from './route';

/** The raw inputs of a request before validation. */
export interface RawInputs {
  params: Record<string, string>;
  query: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** The validated inputs a handler receives. */
export interface ValidInputs {
  params: unknown;
  query: unknown;
  body: unknown;
}

/**
 * Validates path, query and body against the route's schemas and reports EVERY violation of
 * all three at once as one 422, each with a dotted field (`path.id`, `query.size`,
 * `body.2.password`). This is the one validation of a request: the schemas are the ones the
 * services enforce, and a service handed a value parsed here does not parse it again.
 */
export async function validateInputs(route: Route, raw: RawInputs): Promise<ValidInputs> {
  const details: ErrorDetail[] = [];
  const check = async (schema: z.ZodType | undefined, value: unknown, location: string) => {
    if (!schema) return undefined;
    const result = await parseWith(schema, value, location);
    if (result.ok) return result.value;
    details.push(...result.details);
    return undefined;
  };
  // Most routes lack one or more of the three: no await (and no promise) for a missing schema.
  const { schemas } = route;
  const params = schemas.params ? await check(schemas.params, raw.params, 'path') : undefined;
  const query = schemas.query ? await check(schemas.query, raw.query, 'query') : undefined;
  const body = schemas.body ? await check(schemas.body, raw.body, 'body') : undefined;
  if (details.length > 0) {
    throw new AppError('validation_error', VALIDATION_MESSAGE, { details });
  }
  return { params, query, body };
}
