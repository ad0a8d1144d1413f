import { sessionListResponseSchema } from '../../schemas/auth';
import { idParamsSchema } from '../../schemas/params';
import { defineRoute, type Route } from '../route';
import { sessionJson } from './auth-routes';
import type { CoreRouteDeps } from './route-deps';

/**
 * Admin session control (docs/reference/routes.md "Users"): a superuser lists or ends every
 * session of a user. Ending them stops their access and refresh tokens at once, everywhere.
 */
export function createSessionRoutes({ prefix }: CoreRouteDeps): Route[] {
  const path = `${prefix}/users/:id/sessions`;
  return [
    defineRoute({
      id: 'users.sessions.list',
      method: 'GET',
      path,
      auth: 'superuser',
      schemas: { params: idParamsSchema, response: sessionListResponseSchema, successStatus: 200 },
      summary: 'A user’s active sessions',
      description: 'Newest first; `current` marks the caller’s own session when it is listed.',
      tags: ['users'],
      errors: ['not_found_error'],
      handler: async ({ services, auth, params }) => ({
        body: (await services.auth.listUserSessions(auth.user, params.id, auth.session.id)).map(sessionJson),
      }),
    }),
    defineRoute({
      id: 'users.sessions.revoke',
      method: 'DELETE',
      path,
      auth: 'superuser',
      schemas: { params: idParamsSchema, successStatus: 204 },
      summary: 'End every session of a user',
      description: 'Their access and refresh tokens stop working at once. 204 even when there was none.',
      tags: ['users'],
      errors: ['not_found_error'],
      handler: async ({ services, auth, params }) => {
        await services.auth.endUserSessions(auth.user, params.id);
        return {};
      },
    }),
  ];
}
