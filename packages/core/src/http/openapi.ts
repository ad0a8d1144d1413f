import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from '../errors/app-error';
import { errorEnvelopeSchema } from '../schemas/error';
import type { Route } from './route';

/** What the document says about the API as a whole. */
export interface OpenApiInfo {
  title: string;
  version: string;
  /**
   * Where the host mounted the API (`/auth`): the document's one server, so a client resolves
   * `/api/v1/users` to `/auth/api/v1/users`. Empty or absent at the root (server `/`).
   */
  mountPath?: string;
}

type JsonSchema = Record<string, unknown>;

const ERROR_REF = { $ref: '#/components/schemas/Error' };

/** A zod schema as a JSON Schema 2020-12 object (OpenAPI 3.1's dialect), without `$schema`. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** `/users/:id` → `/users/{id}`. */
function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** One parameter object per property of a `z.object` params or query schema. */
function parameters(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input');
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: propertySchema,
    };
  });
}

/** The error codes a route can answer with: implied by its shape, plus its own list. */
function errorCodes(route: Route): ErrorCode[] {
  const codes = new Set<ErrorCode>(route.errors ?? []);
  const { params, query, body } = route.schemas;
  if (params || query || body) codes.add('validation_error');
  if (body) ['invalid_json', 'request_too_large', 'unsupported_media_type'].forEach((code) => codes.add(code as ErrorCode));
  if (route.auth !== 'none') {
    codes.add('authentication_error');
    codes.add('inactive_user');
  }
  if (route.auth === 'superuser') codes.add('authorization_error');
  if (route.rateLimit) codes.add('rate_limit_error');
  codes.add('internal_server_error');
  codes.add('request_timeout');
  return [...codes];
}

/** One response per status, each pointing at the shared `Error` envelope. */
function errorResponses(route: Route): Record<string, JsonSchema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodes(route)) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, JsonSchema> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers: Record<string, JsonSchema> = {};
    if (codes.includes('authentication_error')) {
      headers['WWW-Authenticate'] = {
        description: '`Bearer`; `Bearer error="invalid_token"` when the access token was refused (expired, revoked, forged): refresh and retry',
        schema: { type: 'string' },
      };
    }
    if (codes.includes('rate_limit_error')) {
      headers['Retry-After'] = { description: 'Seconds to wait before retrying', schema: { type: 'integer' } };
    }
    responses[String(status)] = {
      description: `Error: ${codes.map((code) => `\`${code}\``).join(', ')}`,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      content: { 'application/json': { schema: ERROR_REF } },
    };
  }
  return responses;
}

function describeRateLimit(route: Route): string | undefined {
  const rule = route.rateLimit;
  if (!rule) return undefined;
  const seconds = rule.windowMs / 1000;
  const window = seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
  const per = route.auth === 'none' ? 'client IP' : 'user';
  return `Rate limit: ${rule.limit} requests per ${window} per ${per} (RateLimit-* headers on every response, Retry-After on 429).`;
}

function operation(route: Route): JsonSchema {
  const { schemas } = route;
  const description = [route.description, describeRateLimit(route)].filter(Boolean).join('\n\n');
  const success: JsonSchema = { description: schemas.successStatus === 204 ? 'No content' : 'Success' };
  if (schemas.response && schemas.successStatus !== 204) {
    success.content = { [schemas.responseMediaType ?? 'application/json']: { schema: jsonSchema(schemas.response, 'output') } };
  }
  const headers: Record<string, JsonSchema> = {};
  if (route.cache) headers['X-Cache'] = { description: '`HIT` or `MISS`', schema: { type: 'string' } };
  for (const [name, text] of Object.entries(schemas.responseHeaders ?? {})) {
    headers[name] = { description: text, schema: { type: 'string' } };
  }
  if (Object.keys(headers).length > 0) success.headers = headers;
  const params = [...parameters(schemas.params, 'path'), ...parameters(schemas.query, 'query')];
  return {
    operationId: route.id,
    summary: route.summary,
    ...(description ? { description } : {}),
    tags: [...route.tags],
    security: route.auth === 'none' ? [] : [{ bearerAuth: [] }],
    ...(route.rateLimit ? { 'x-rate-limit': { limit: route.rateLimit.limit, windowMs: route.rateLimit.windowMs } } : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(schemas.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(schemas.body, 'input') } } } }
      : {}),
    responses: { [String(schemas.successStatus)]: success, ...errorResponses(route) },
  };
}

/**
 * The OpenAPI 3.1 document of a route table, generated from the routes' zod schemas
 * (request schemas as their input side, responses as their output side).
 *
 * @example
 * const document = buildOpenApiDocument(routes, { title: 'Backend API', version: '1.0.0', mountPath: '/auth' });
 */
export function buildOpenApiDocument(routes: readonly Route[], info: OpenApiInfo): Record<string, unknown> {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) };
  }
  const tags = [...new Set(routes.flatMap((route) => route.tags))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version },
    servers: [{ url: info.mountPath || '/' }],
    tags,
    paths,
    components: {
      schemas: { Error: jsonSchema(errorEnvelopeSchema, 'output') },
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
