import { z } from 'zod';

/** `Token` (docs/reference/routes.md "Schemas"): what login and refresh return. */
export const tokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  /** Lifetime of the access token in seconds. */
  expires_in: z.number().int(),
  /** Opaque, single use: `POST /auth/refresh` spends it for a new pair. */
  refresh_token: z.string(),
  /** Seconds until the session ends if unused, i.e. how long the refresh token can be spent. */
  refresh_expires_in: z.number().int(),
});
export type TokenJson = z.output<typeof tokenResponseSchema>;

// Longer than any token the core mints (about 110 characters), short enough to refuse junk cheaply.
const refreshToken = z.string().min(1).max(512);

/** `POST /auth/refresh` body, and what `AuthService.refresh` takes. */
export const refreshSchema = z.object({ refresh_token: refreshToken });
export type RefreshInput = z.input<typeof refreshSchema>;

/** The refresh body with the cookie transport on: the field may be omitted for the cookie. */
export const refreshCookieBodySchema = z.object({ refresh_token: refreshToken.optional() });

/** One active session; `current` marks the one of this request's token. */
export const sessionResponseSchema = z.object({
  id: z.number().int(),
  created_at: z.string(),
  /** When the session ends if unused: the earlier of its idle and absolute deadlines. */
  expires_at: z.string(),
  /** The last login, refresh or request, to the minute. */
  last_used_at: z.string().nullable(),
  ip_address: z.string().nullable(),
  user_agent: z.string().nullable(),
  current: z.boolean(),
});
export type SessionJson = z.output<typeof sessionResponseSchema>;

/** `GET /auth/sessions`, `GET /users/:id/sessions`: a plain array, newest first. */
export const sessionListResponseSchema = z.array(sessionResponseSchema);
