import type { Session } from '../../domain/types';
import { authenticationError } from '../../errors/app-error';
import {
  refreshCookieBodySchema,
  refreshSchema,
  sessionListResponseSchema,
  tokenResponseSchema,
  type SessionJson,
  type TokenJson,
} from '../../schemas/auth';
import { idParamsSchema } from '../../schemas/params';
import { loginSchema } from '../../schemas/user';
import { INVALID_REFRESH_TOKEN, type SessionTokens } from '../../services/auth-service';
import { readCookie, serializeCookie } from '../cookies';
import { defineRoute, type Route, type RouteResult } from '../route';
import type { CoreRouteDeps } from './route-deps';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/**
 * The refresh cookie's name. `__Secure-` makes browsers accept it only with `Secure` from an
 * HTTPS origin, so a plain-HTTP page of the same host cannot plant one.
 */
export const REFRESH_COOKIE_NAME = '__Secure-refresh_token';

/** The `Token` body of a login or refresh. */
export function tokenJson(result: SessionTokens): TokenJson {
  return {
    access_token: result.accessToken,
    token_type: 'bearer',
    expires_in: result.expiresIn,
    refresh_token: result.refreshToken,
    refresh_expires_in: result.refreshExpiresIn,
  };
}

/** A listed session as sent: times in ISO-8601 UTC. */
export function sessionJson(session: Session & { current: boolean }): SessionJson {
  return {
    id: session.id,
    created_at: session.created_at.toISOString(),
    expires_at: session.expires_at.toISOString(),
    last_used_at: session.last_used_at ? session.last_used_at.toISOString() : null,
    ip_address: session.ip_address,
    user_agent: session.user_agent,
    current: session.current,
  };
}

/**
 * The `/auth` routes (docs/reference/routes.md "Auth"): register, login, refresh, logout,
 * logout-all, me, sessions. Login lockout per account lives in the AuthService; the limits
 * here are per client. With `refreshCookie`, login and refresh also set the refresh token as
 * a cookie sent only to the refresh route, refresh reads it when the body has none, and the
 * logouts delete it.
 */
export function createAuthRoutes({ prefix, fields, schemas, refreshCookie }: CoreRouteDeps): Route[] {
  const base = `${prefix}/auth`;
  const refreshPath = `${base}/refresh`;
  const cookie = (value: string, maxAgeSeconds: number) =>
    serializeCookie(REFRESH_COOKIE_NAME, value, { path: refreshPath, maxAgeSeconds });
  const withToken = (result: SessionTokens): RouteResult => ({
    body: tokenJson(result),
    ...(refreshCookie ? { headers: { 'Set-Cookie': cookie(result.refreshToken, result.refreshExpiresIn) } } : {}),
  });
  const ended = (): RouteResult => (refreshCookie ? { headers: { 'Set-Cookie': cookie('', 0) } } : {});
  const cookieHeaders = refreshCookie
    ? { 'Set-Cookie': `\`${REFRESH_COOKIE_NAME}\`, the refresh token: HttpOnly; Secure; SameSite=Strict; Path=${refreshPath}` }
    : undefined;
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
      schemas: { body: loginSchema, response: tokenResponseSchema, responseHeaders: cookieHeaders, successStatus: 200 },
      summary: 'Log in with a username or email and a password',
      description:
        'Opens a session and returns an access token and a refresh token. After repeated failures for one account, ' +
        'further attempts for it are refused with 429 for a growing delay, whatever the client IP.',
      tags: ['auth'],
      errors: ['authentication_error'],
      handler: async ({ services, body, client }) => withToken(await services.auth.login(body, client)),
    }),
    defineRoute({
      id: 'auth.refresh',
      method: 'POST',
      path: refreshPath,
      auth: 'none',
      rateLimit: { limit: 30, windowMs: MINUTE },
      schemas: {
        body: refreshCookie ? refreshCookieBodySchema : refreshSchema,
        response: tokenResponseSchema,
        responseHeaders: cookieHeaders,
        successStatus: 200,
      },
      summary: 'Spend a refresh token for a new access and refresh token',
      description:
        'The refresh token is single use. A spent one presented again within 10 s of its rotation gets 401 and ' +
        'changes nothing; after that, or an older one, ends the whole session (401). ' +
        (refreshCookie
          ? `\`refresh_token\` may be omitted for the \`${REFRESH_COOKIE_NAME}\` cookie; the body must still be JSON (\`{}\`).`
          : '`refresh_token` is required.'),
      tags: ['auth'],
      errors: ['authentication_error', 'inactive_user'],
      handler: async ({ services, body, headers }) => {
        const token = body.refresh_token ?? (refreshCookie ? readCookie(headers, REFRESH_COOKIE_NAME) : undefined);
        if (token === undefined) throw authenticationError('No refresh token');
        // A cookie is no body field: junk in it is a bad token (401), not a 422 about the body.
        if (body.refresh_token === undefined && token.length > 512) throw authenticationError(INVALID_REFRESH_TOKEN);
        return withToken(await services.auth.refresh({ refresh_token: token }));
      },
    }),
    defineRoute({
      id: 'auth.logout',
      method: 'POST',
      path: `${base}/logout`,
      auth: 'user',
      schemas: { successStatus: 204 },
      summary: 'End the session of this token (its access and refresh tokens)',
      tags: ['auth'],
      handler: async ({ services, auth }) => {
        await services.auth.logout(auth);
        return ended();
      },
    }),
    defineRoute({
      id: 'auth.logoutAll',
      method: 'POST',
      path: `${base}/logout-all`,
      auth: 'user',
      schemas: { successStatus: 204 },
      summary: 'End every session of the current user',
      tags: ['auth'],
      handler: async ({ services, auth }) => {
        await services.auth.logoutAll(auth);
        return ended();
      },
    }),
    defineRoute({
      id: 'auth.me',
      method: 'GET',
      path: `${base}/me`,
      auth: 'user',
      rateLimit: { limit: 30, windowMs: MINUTE },
      schemas: {
        response: schemas.response,
        successStatus: 200,
        responseHeaders: { 'X-Cache': '`HIT` when the session and user came from the cache (60 s, re-read at once after any change), else `MISS`' },
      },
      summary: 'The current user',
      tags: ['auth'],
      // Authentication has just loaded the user (from the session lookup cache, versioned by
      // the user's scope, or from the database): no further call, and no second cache entry.
      handler: async ({ auth }) => ({ body: fields.project(auth.user), headers: { 'X-Cache': auth.cached ? 'HIT' : 'MISS' } }),
    }),
    defineRoute({
      id: 'auth.sessions.list',
      method: 'GET',
      path: `${base}/sessions`,
      auth: 'user',
      schemas: { response: sessionListResponseSchema, successStatus: 200 },
      summary: 'The current user’s active sessions',
      tags: ['auth'],
      description: '`expires_at` is when the session ends if unused: the earlier of its idle and absolute deadlines.',
      handler: async ({ services, auth }) => ({ body: (await services.auth.listSessions(auth)).map(sessionJson) }),
    }),
    defineRoute({
      id: 'auth.sessions.revoke',
      method: 'DELETE',
      path: `${base}/sessions/:id`,
      auth: 'user',
      schemas: { params: idParamsSchema, successStatus: 204 },
      summary: 'End one of the current user’s sessions',
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

