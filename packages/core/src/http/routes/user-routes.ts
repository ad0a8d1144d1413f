import { z } from 'zod';
import { cacheKeys } from '../../cache/cache';
import { pageSchema } from '../../schemas/page';
import { idParamsSchema } from '../../schemas/params';
import { defineRoute, type Route } from '../route';
import type { CoreRouteDeps } from './route-deps';

const MINUTE = 60_000;

/**
 * The `/users` routes (docs/reference/routes.md "Users"): list, create, bulk create, get,
 * update, delete. Bodies and queries are parsed with the user's wire schemas, which the
 * services enforce too, and every answer is the registry's projection of the user.
 */
export function createUserRoutes({ prefix, bulkMax, fields, schemas }: CoreRouteDeps): Route[] {
  const base = `${prefix}/users`;
  const json = (user: object) => fields.project(user);
  return [
    defineRoute({
      id: 'users.list',
      method: 'GET',
      path: base,
      auth: 'superuser',
      schemas: { query: schemas.listQuery, response: pageSchema(schemas.response), successStatus: 200 },
      summary: 'List users with filters, search, sorting and paging',
      description: 'Ties are broken by id, so paging is stable. A page past the end has no items.',
      tags: ['users'],
      handler: async ({ services, query }) => {
        const page = await services.users.listUsers(query);
        return { body: { ...page, items: page.items.map(json) } };
      },
    }),
    defineRoute({
      id: 'users.create',
      method: 'POST',
      path: base,
      auth: 'superuser',
      schemas: { body: schemas.adminCreate, response: schemas.response, successStatus: 201 },
      summary: 'Create a user (may set is_active and is_superuser)',
      tags: ['users'],
      errors: ['conflict_error'],
      handler: async ({ services, auth, body }) => ({ body: json(await services.users.createUser(body, auth.user)) }),
    }),
    defineRoute({
      id: 'users.bulkCreate',
      method: 'POST',
      path: `${base}/bulk`,
      auth: 'superuser',
      schemas: { body: schemas.bulk, response: z.array(schemas.response), successStatus: 201 },
      summary: `Create 1 to ${bulkMax} users at once, all or nothing`,
      description: 'Users come back in input order. A duplicate in the table or in the batch is a 409 naming the item index.',
      tags: ['users'],
      errors: ['conflict_error'],
      handler: async ({ services, auth, body }) => ({ body: (await services.users.bulkCreate(body, auth.user)).map(json) }),
    }),
    defineRoute({
      id: 'users.get',
      method: 'GET',
      path: `${base}/:id`,
      auth: 'user',
      rateLimit: { limit: 20, windowMs: MINUTE },
      cache: {
        ttlSeconds: 300,
        // Only a caller who may read this user is served from the cache; anyone else runs
        // the handler, whose service answers 403 before it looks the id up.
        key: ({ auth, params }) =>
          auth.user.is_superuser || auth.user.id === params.id ? cacheKeys.user(params.id) : undefined,
        scopes: ({ params }) => [cacheKeys.userScope(params.id)],
      },
      schemas: { params: idParamsSchema, response: schemas.response, successStatus: 200 },
      summary: 'Read a user (yourself, or anyone as a superuser)',
      description: 'A normal user reading another id gets 403, even when it does not exist.',
      tags: ['users'],
      errors: ['not_found_error'],
      handler: async ({ services, auth, params }) => ({
        body: json(await services.users.getUser(auth.user, params.id)),
      }),
    }),
    defineRoute({
      id: 'users.update',
      method: 'PATCH',
      path: `${base}/:id`,
      auth: 'user',
      rateLimit: { limit: 10, windowMs: MINUTE },
      schemas: { params: idParamsSchema, body: schemas.update, response: schemas.response, successStatus: 200 },
      summary: 'Update a user (yourself, or anyone as a superuser)',
      description:
        'Only a superuser may change the fields only an admin may set (is_active, is_superuser). ' +
        'A password change revokes the user’s other sessions.',
      tags: ['users'],
      errors: ['not_found_error', 'conflict_error'],
      handler: async ({ services, auth, params, body }) => ({
        body: json(await services.users.updateUser(auth.user, params.id, body, auth.session.id)),
      }),
    }),
    defineRoute({
      id: 'users.delete',
      method: 'DELETE',
      path: `${base}/:id`,
      auth: 'superuser',
      rateLimit: { limit: 5, windowMs: MINUTE },
      schemas: { params: idParamsSchema, successStatus: 204 },
      summary: 'Delete a user and its sessions',
      tags: ['users'],
      errors: ['not_found_error'],
      handler: async ({ services, auth, params }) => {
        await services.users.deleteUser(auth.user, params.id);
        return {};
      },
    }),
  ];
}
