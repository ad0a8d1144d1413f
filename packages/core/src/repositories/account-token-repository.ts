/** Why a mail token was issued. */
export type AccountTokenPurpose = 'password_reset' | 'email_verification';

/** A stored mail token: never the token, only its SHA-256. */
export interface AccountToken {
  id: number;
  user_id: number;
  purpose: AccountTokenPurpose;
  token_hash: string;
  /** The address the token was mailed to (for verification: the address it verifies). */
  email: string;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
}

export type NewAccountToken = Omit<AccountToken, 'id' | 'used_at'>;

/** Data access for mail tokens: no rules. Joins the ambient unit-of-work transaction. */
export interface AccountTokenRepository {
  /**
   * Stores `token` as the user's only token of its purpose: every older one of that
   * purpose is deleted, as are the user's expired tokens.
   */
  replace(token: NewAccountToken): Promise<void>;
  /** The unused, unexpired token of this purpose and hash, if any. */
  findValid(purpose: AccountTokenPurpose, tokenHash: string, now: Date): Promise<AccountToken | null>;
  /** Marks the token used if it still is unused and unexpired; false when another use won. */
  consume(id: number, now: Date): Promise<boolean>;
  /** Deletes every token of the user with this purpose; returns how many. */
  deleteForUser(userId: number, purpose: AccountTokenPurpose): Promise<number>;
}

export const ACCOUNT_TOKEN_REPOSITORY = Symbol.for('app.AccountTokenRepository');
