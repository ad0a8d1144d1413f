import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import { createTestApi, jsonOf, type TestApi } from './http-test-kit';

type Operation = {
  operationId: string;
  security: unknown[];
  parameters?: Array<{ name: string; in: string; required: boolean }>;
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }>; headers?: Record<string, unknown> }>;
  description?: string;
};

describe('OpenAPI document', () => {
  let t: TestApi;
  let doc: Record<string, any>;
  beforeEach(() => {
    t = createTestApi();
    doc = t.api.openapi();
  });
  afterEach(() => t.close());

  const operation = (method: string, path: string): Operation => doc.paths[path][method];

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(doc);
    expect(result.errors, JSON.stringify(result.errors, null, 2)).to.equal(undefined);
    expect(result.valid).to.equal(true);
    expect(doc.openapi).to.equal('3.1.0');
  });

  it('names the mount path as its one server, valid as well, and says the root otherwise', async () => {
    expect(doc.servers).to.deep.equal([{ url: '/' }]);
    const mounted = t.api.openapi('/auth');
    expect(mounted.servers).to.deep.equal([{ url: '/auth' }]);
    expect(Object.keys(mounted.paths as object)).to.deep.equal(Object.keys(doc.paths));
    expect((await new Validator().validate(mounted)).valid).to.equal(true);
    const served = await t.api.dispatch({ method: 'GET', path: '/api/v1/openapi.json', mountPath: '/identity', query: {}, headers: {}, ip: undefined, protocol: 'http', body: { kind: 'none' } });
    expect(jsonOf(served!).servers).to.deep.equal([{ url: '/identity' }]);
  });

  it('says whose budget a limit counts: the user on authenticated routes, the client IP on public ones', () => {
    expect(operation('get', '/api/v1/auth/me').description).to.include('per user');
    expect(operation('post', '/api/v1/auth/register').description).to.include('per client IP');
  });

  it('describes every mounted route, with {param} paths', () => {
    for (const route of t.api.routes) {
      const path = route.path.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[path]?.[route.method.toLowerCase()]?.operationId, `${route.method} ${route.path}`).to.equal(route.id);
    }
  });

  it('requires bearer auth on protected routes and none on public ones', () => {
    expect(doc.components.securitySchemes.bearerAuth).to.deep.equal({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(operation('get', '/api/v1/auth/me').security).to.deep.equal([{ bearerAuth: [] }]);
    expect(operation('post', '/api/v1/auth/login').security).to.deep.equal([]);
    expect(operation('get', '/health').security).to.deep.equal([]);
  });

  it('documents parameters, request bodies and success responses from the zod schemas', () => {
    const list = operation('get', '/api/v1/users');
    expect(list.parameters!.map((p) => `${p.in}:${p.name}`)).to.include.members(['query:page', 'query:size', 'query:sort_by']);
    expect(list.parameters!.find((p) => p.name === 'page')!.required).to.equal(false);
    const get = operation('get', '/api/v1/users/{id}');
    expect(get.parameters).to.deep.include({ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } });
    const register = operation('post', '/api/v1/auth/register');
    const body = register.requestBody!.content['application/json']!.schema;
    expect(body.required).to.have.members(['email', 'username', 'password']);
    const created = register.responses['201']!.content!['application/json']!.schema as { properties: Record<string, unknown> };
    expect(Object.keys(created.properties)).to.include('is_superuser').and.not.include('hashed_password');
    expect(operation('get', '/api/v1/export/users/csv').responses['200']!.content).to.have.key('text/csv');
    expect(operation('post', '/api/v1/auth/logout').responses['204']!.content).to.equal(undefined);
  });

  it('points every error response at the one Error envelope, with the rate-limit note', () => {
    expect(doc.components.schemas.Error.required).to.have.members(['error', 'message', 'details', 'request_id']);
    const register = operation('post', '/api/v1/auth/register');
    for (const status of ['400', '409', '413', '415', '422', '429', '500', '504']) {
      expect(register.responses[status]!.content!['application/json']!.schema).to.deep.equal({ $ref: '#/components/schemas/Error' });
    }
    expect(register.responses['429']!.headers).to.have.key('Retry-After');
    expect(register.description).to.contain('Rate limit: 5 requests per 1 h per client IP');
    const me = operation('get', '/api/v1/auth/me');
    expect(me.responses['401']!.headers).to.have.key('WWW-Authenticate');
    expect(operation('get', '/api/v1/users').responses).to.include.keys('401', '403', '422');
  });

  it('is served by GET /openapi.json without authentication', async () => {
    const response = await t.call('system.openapi');
    expect(response.status).to.equal(200);
    expect(jsonOf(response)).to.deep.equal(doc);
  });
});
