import { cacheKeys } from '../../cache/cache';
import { sessionListResponseSchema, tokenResponseSchema, type SessionJson, type TokenJson } from '../../schemas/auth';
import { idParamsSchema } from '../../schemas/params';
import { loginSchema } from '../../schemas/user';
import { defineRoute, type Route } from '../route';
import type { CoreRouteDeps } from './route-deps';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/**
 * The `/auth` routes (docs/reference/routes.md "Auth"): register, login, logout, logout-all,
 * me, sessions. Login lockout per account lives in the AuthService; the limits here are per
 * client.
 */
export function createAuthRoutes({ prefix, fields, schemas }: CoreRouteDeps): Route[] {
  const base = `${prefix}/auth`;
  return [
    defineRoute({
      id: 'auth.register',
      method: 'POST',
      path: `${base}/register`,
      auth: 'none',
      rateLimit: { limit: 5, windowMs: HOUR },
      schemas: { body: schemas.create, response: schemas.response, successStatus: 201 },
      summary: 'Register a new account',
      description: 'Email conflicts are checked before username conflicts.',
      tags: ['auth'],
      errors: ['conflict_error'],
      handler: async ({ services, body }) => ({ body: fields.project(await services.users.register(body)) }),
    }),
    defineRoute({
      id: 'auth.login',
      method: 'POST',
      path: `${base}/login`,
      auth: 'none',
      rateLimit: { limit: 10, windowMs: 5 * MINUTE },
      schemas: { body: loginSchema, response: tokenResponseSchema, successStatus: 200 },
      summary: 'Log in with a username or email and a password',
      description:
        'Creates a session and returns a bearer token. After repeated failures for one account, ' +
        'further attempts for it are refused with 429 for a growing delay, whatever the client IP.',
      tags: ['auth'],
      errors: ['authentication_error'],
      handler: async ({ services, body, client }) => {
        const result = await services.auth.login(body, client);
        const token: TokenJson = {
          access_token: result.accessToken,
          token_type: 'bearer',
          expires_in: result.expiresIn,
        };
        return { body: token };
      },
    }),
    defineRoute({
      id: 'auth.logout',
      method: 'POST',
      path: `${base}/logout`,
      auth: 'user',
      schemas: { successStatus: 204 },
      summary: 'Revoke the session of this token',
      tags: ['auth'],
      handler: async ({ services, auth }) => {
        await services.auth.logout(auth);
        return {};
      },
    }),
    defineRoute({
      id: 'auth.logoutAll',
      method: 'POST',
      path: `${base}/logout-all`,
      auth: 'user',
      schemas: { successStatus: 204 },
      summary: 'Revoke every session of the current user',
      tags: ['auth'],
      handler: async ({ services, auth }) => {
        await services.auth.logoutAll(auth);
        return {};
      },
    }),
    defineRoute({
      id: 'auth.me',
      method: 'GET',
      path: `${base}/me`,
      auth: 'user',
      rateLimit: { limit: 30, windowMs: MINUTE },
      cache: { ttlSeconds: 60, key: ({ auth }) => cacheKeys.me(auth.user.id) },
      schemas: { response: schemas.response, successStatus: 200 },
      summary: 'The current user',
      tags: ['auth'],
      // Authentication has just loaded the user fresh from the database: no further call.
      handler: async ({ auth }) => ({ body: fields.project(auth.user) }),
    }),
    defineRoute({
      id: 'auth.sessions.list',
      method: 'GET',
      path: `${base}/sessions`,
      auth: 'user',
      schemas: { response: sessionListResponseSchema, successStatus: 200 },
      summary: 'The current user’s active sessions',
      tags: ['auth'],
      handler: async ({ services, auth }) => {
        const sessions = await services.auth.listSessions(auth);
        const body: SessionJson[] = sessions.map((session) => ({
          id: session.id,
          created_at: session.created_at.toISOString(),
          expires_at: session.expires_at.toISOString(),
          ip_address: session.ip_address,
          user_agent: session.user_agent,
          current: session.current,
        }));
        return { body };
      },
    }),
    defineRoute({
      id: 'auth.sessions.revoke',
      method: 'DELETE',
      path: `${base}/sessions/:id`,
      auth: 'user',
      schemas: { params: idParamsSchema, successStatus: 204 },
      summary: 'Revoke one of the current user’s sessions',
      description: 'Sessions of other users answer 404, as if they did not exist.',
      tags: ['auth'],
      errors: ['not_found_error'],
      handler: async ({ services, auth, params }) => {
        await services.auth.revokeSession(auth, params.id);
        return {};
      },
    }),
  ];
}

