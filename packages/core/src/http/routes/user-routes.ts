import { z } from 'zod';
import { cacheKeys } from '../../cache/cache';
import type { CoreConfig } from '../../config/options';
import type { UserListQuery } from '../../domain/types';
import { toUserJson } from '../../domain/user-json';
import { pageSchema } from '../../schemas/page';
import { idParamsSchema } from '../../schemas/params';
import {
  bulkCreateSchema,
  userCreateByAdminSchema,
  userListQuerySchema,
  userResponseSchema,
  userUpdateSchema,
  type UserUpdateBody,
} from '../../schemas/user';
import { defineRoute, type CoreServices, type Route } from '../route';

/** The service's change set, taken from its signature so the two cannot drift apart. */
type UserUpdateInput = Parameters<CoreServices['users']['updateUser']>[2];

const MINUTE = 60_000;

/** Maps a PATCH body to the service's input, keeping absent keys absent and `null` as null. */
function toUpdateInput(body: UserUpdateBody): UserUpdateInput {
  const changes: UserUpdateInput = {};
  if (body.email !== undefined) changes.email = body.email;
  if (body.username !== undefined) changes.username = body.username;
  if (body.full_name !== undefined) changes.fullName = body.full_name;
  if (body.password !== undefined) changes.password = body.password;
  if (body.is_active !== undefined) changes.isActive = body.is_active;
  if (body.is_superuser !== undefined) changes.isSuperuser = body.is_superuser;
  return changes;
}

/** The `/users` routes of SPEC §4: list, create, bulk create, get, update, delete. */
export function createUserRoutes(config: Pick<CoreConfig, 'apiPrefix' | 'bulkMax'>): Route[] {
  const base = `${config.apiPrefix}/users`;
  return [
    defineRoute({
      id: 'users.list',
      method: 'GET',
      path: base,
      auth: 'superuser',
      schemas: { query: userListQuerySchema, response: pageSchema(userResponseSchema), successStatus: 200 },
      summary: 'List users with filters, search, sorting and paging',
      description: 'Ties are broken by id, so paging is stable. A page past the end has no items.',
      tags: ['users'],
      handler: async ({ services, query }) => {
        const listQuery: UserListQuery = {
          page: query.page,
          size: query.size,
          isActive: query.is_active,
          isSuperuser: query.is_superuser,
          search: query.search,
          sortBy: query.sort_by,
          sortOrder: query.sort_order,
        };
        const page = await services.users.listUsers(listQuery);
        return { body: { ...page, items: page.items.map(toUserJson) } };
      },
    }),
    defineRoute({
      id: 'users.create',
      method: 'POST',
      path: base,
      auth: 'superuser',
      schemas: { body: userCreateByAdminSchema, response: userResponseSchema, successStatus: 201 },
      summary: 'Create a user (may set is_active and is_superuser)',
      tags: ['users'],
      errors: ['conflict_error'],
      handler: async ({ services, body }) => {
        const user = await services.users.createUser({
          email: body.email,
          username: body.username,
          password: body.password,
          fullName: body.full_name,
          isActive: body.is_active,
          isSuperuser: body.is_superuser,
        });
        return { body: toUserJson(user) };
      },
    }),
    defineRoute({
      id: 'users.bulkCreate',
      method: 'POST',
      path: `${base}/bulk`,
      auth: 'superuser',
      schemas: { body: bulkCreateSchema(config.bulkMax), response: z.array(userResponseSchema), successStatus: 201 },
      summary: `Create 1 to ${config.bulkMax} users at once, all or nothing`,
      description: 'Users come back in input order. A duplicate in the table or in the batch is a 409 naming the item index.',
      tags: ['users'],
      errors: ['conflict_error'],
      handler: async ({ services, body }) => {
        const users = await services.users.bulkCreate(
          body.map((item) => ({
            email: item.email,
            username: item.username,
            password: item.password,
            fullName: item.full_name,
          })),
        );
        return { body: users.map(toUserJson) };
      },
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
          auth.user.isSuperuser || auth.user.id === params.id ? cacheKeys.user(params.id) : undefined,
      },
      schemas: { params: idParamsSchema, response: userResponseSchema, successStatus: 200 },
      summary: 'Read a user (yourself, or anyone as a superuser)',
      description: 'A normal user reading another id gets 403, even when it does not exist.',
      tags: ['users'],
      errors: ['not_found_error'],
      handler: async ({ services, auth, params }) => ({
        body: toUserJson(await services.users.getUser(auth.user, params.id)),
      }),
    }),
    defineRoute({
      id: 'users.update',
      method: 'PATCH',
      path: `${base}/:id`,
      auth: 'user',
      rateLimit: { limit: 10, windowMs: MINUTE },
      schemas: { params: idParamsSchema, body: userUpdateSchema, response: userResponseSchema, successStatus: 200 },
      summary: 'Update a user (yourself, or anyone as a superuser)',
      description:
        'Only a superuser may change is_active or is_superuser. A password change revokes the user’s other sessions.',
      tags: ['users'],
      errors: ['not_found_error', 'conflict_error'],
      handler: async ({ services, auth, params, body }) => ({
        body: toUserJson(await services.users.updateUser(auth.user, params.id, toUpdateInput(body), auth.session.id)),
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
