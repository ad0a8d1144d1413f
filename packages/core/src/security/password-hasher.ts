/** bcrypt hashing off the main event loop. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Verifies `password` against `hash`; a malformed hash verifies false. */
  verify(password: string, hash: string): Promise<boolean>;
  /**
   * Spends the time of one verification against a fixed dummy hash and resolves false, so
   * that an unknown-user login costs what a wrong password costs.
   */
  verifyDummy(password: string): Promise<false>;
  /** Stops the worker threads. */
  close(): Promise<void>;
}

export const PASSWORD_HASHER = Symbol.for('app.PasswordHasher');
