import type { z } from 'zod';
import { AppError, type ErrorDetail } from '../errors/app-error';
import { zodIssuesToDetails } from './error-mapper';
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
 * `body.2.password`).
 */
export async function validateInputs(route: Route, raw: RawInputs): Promise<ValidInputs> {
  const details: ErrorDetail[] = [];
  const check = async (schema: z.ZodType | undefined, value: unknown, location: string) => {
    if (!schema) return undefined;
    const result = await schema.safeParseAsync(value);
    if (result.success) return result.data;
    details.push(...zodIssuesToDetails(result.error.issues, location));
    return undefined;
  };
  const params = await check(route.schemas.params, raw.params, 'path');
  const query = await check(route.schemas.query, raw.query, 'query');
  const body = await check(route.schemas.body, raw.body, 'body');
  if (details.length > 0) {
    throw new AppError('validation_error', 'Request validation failed', { details });
  }
  return { params, query, body };
}
