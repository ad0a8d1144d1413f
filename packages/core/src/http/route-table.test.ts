import { expect } from 'chai';
import { z } from 'zod';
import { ConfigError, resolveConfig, type CoreOptions } from '../config/options';
import { defineRoute } from './route';
import { createRouteTable } from './route-table';
import { systemClock } from '../clock/clock';
import { testUserModel } from '../services/service-fakes';
import { createAccountSchemas } from '../schemas/account';

const hostRoute = (id: string, path = '/widgets') =>
  defineRoute({
    id,
    method: 'GET',
    path,
    auth: 'none',
    schemas: { response: z.object({ ok: z.boolean() }), successStatus: 200 },
    summary: 'A widget',
    tags: ['host'],
    handler: async () => ({ body: { ok: true } }),
  });

const table = (options: CoreOptions) => {
  const config = resolveConfig({ environment: 'test', ...options });
  const { fields, schemas } = testUserModel();
  const deps = {
    prefix: config.apiPrefix,
    appName: config.appName,
    bulkMax: config.bulkMax,
    refreshCookie: false,
    account: createAccountSchemas(config.passwordMinLength),
    fields,
    schemas,
    clock: systemClock,
    openapi: () => ({}),
  };
  return createRouteTable(config, deps);
};
const refusal = (options: CoreOptions) => {
  try {
    table(options);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  return expect.fail('expected a ConfigError');
};

describe('createRouteTable', () => {
  it('puts host routes under the prefix, after the core\'s', () => {
    const routes = table({ apiPrefix: '/v2', routes: [hostRoute('host.widgets')] });
    expect(routes.at(-1)).to.include({ id: 'host.widgets', path: '/v2/widgets' });
    expect(routes.find((route) => route.id === 'auth.me')?.path).to.equal('/v2/auth/me');
  });

  it('leaves out disabled routes and a health path set to false, and moves health', () => {
    const ids = table({ disabledRoutes: ['export.usersCsv'], healthPath: false }).map((route) => route.id);
    expect(ids).to.not.include.members(['export.usersCsv', 'system.health']);
    expect(table({ healthPath: '/ops/health' }).find((route) => route.id === 'system.health')?.path).to.equal('/ops/health');
  });

  it('replaces a route\'s limit by id, or removes it with false', () => {
    const routes = table({ rateLimits: { 'auth.login': { limit: 3, windowMs: 1000 }, 'auth.me': false, 'host.widgets': { limit: 1, windowMs: 10 } }, routes: [hostRoute('host.widgets')] });
    const byId = new Map(routes.map((route) => [route.id, route]));
    expect(byId.get('auth.login')?.rateLimit).to.deep.equal({ limit: 3, windowMs: 1000 });
    expect(byId.get('auth.me')?.rateLimit).to.equal(undefined);
    expect(byId.get('host.widgets')?.rateLimit).to.deep.equal({ limit: 1, windowMs: 10 });
  });

  it('refuses an unknown id in disabledRoutes or rateLimits, naming it', () => {
    expect(refusal({ disabledRoutes: ['users.nope'] })).to.match(/disabledRoutes.*users\.nope/);
    expect(refusal({ rateLimits: { 'users.nope': false } })).to.match(/rateLimits\.users\.nope/);
    expect(refusal({ disabledRoutes: ['auth.me'], rateLimits: { 'auth.me': false } })).to.match(/rateLimits\.auth\.me/);
  });

  it('refuses a host route that reuses an id or an endpoint', () => {
    expect(refusal({ routes: [hostRoute('auth.me')] })).to.match(/"auth\.me" is already taken/);
    expect(refusal({ routes: [hostRoute('a'), hostRoute('b')] })).to.match(/GET \/api\/v1\/widgets is served twice/);
    expect(refusal({ routes: [hostRoute('mine', '/users/:userId')] })).to.match(/served twice/);
  });

  it('is refused by the options schema when a route is not one defineRoute built', () => {
    expect(() => resolveConfig({ routes: [{ id: 'x' } as never] })).to.throw(ConfigError, /routes\.0/);
    expect(() => resolveConfig({ routes: [hostRoute('x', 'widgets')] })).to.throw(ConfigError, /routes\.0/);
  });
});
