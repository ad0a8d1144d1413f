import { z } from 'zod';

/** `Token` of SPEC §4: what a successful login returns. */
export const tokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  /** Lifetime of the token in seconds. */
  expires_in: z.number().int(),
});
export type TokenJson = z.output<typeof tokenResponseSchema>;

/** One of the caller's own active sessions; `current` marks the one of this request's token. */
export const sessionResponseSchema = z.object({
  id: z.number().int(),
  created_at: z.string(),
  expires_at: z.string(),
  ip_address: z.string().nullable(),
  user_agent: z.string().nullable(),
  current: z.boolean(),
});
export type SessionJson = z.output<typeof sessionResponseSchema>;

/** `GET /auth/sessions`: a plain array, newest first. */
export const sessionListResponseSchema = z.array(sessionResponseSchema);
