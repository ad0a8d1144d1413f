import { createHash, randomBytes } from 'node:crypto';
import type { AccountTokenPurpose, AccountTokenRepository } from '../repositories/account-token-repository';

/** How long each kind of mail token lives (docs/reference/routes.md "Account"). */
export const TOKEN_LIFETIME_MS: Record<AccountTokenPurpose, number> = {
  password_reset: 30 * 60_000,
  email_verification: 48 * 3_600_000,
};

/** The stored form of a token: its SHA-256 in hex (the token has 256 bits, so no slow hash is needed). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Issues a fresh token of `purpose` for the user: 32 random bytes (256 bits) as base64url,
 * stored only as its hash and replacing every older token of that purpose. Call it inside
 * the unit of work that queues its mail. Returns the token itself, for the mail.
 */
export async function issueToken(
  tokens: AccountTokenRepository,
  request: { userId: number; email: string; purpose: AccountTokenPurpose; now: Date },
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await tokens.replace({
    user_id: request.userId,
    purpose: request.purpose,
    token_hash: hashToken(token),
    email: request.email,
    expires_at: new Date(request.now.getTime() + TOKEN_LIFETIME_MS[request.purpose]),
    created_at: request.now,
  });
  return token;
}
