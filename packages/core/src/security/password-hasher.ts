/** What a hashing call carries from its request (docs/guides/scaling.md "Password hashing"). */
export interface HashOptions {
  /** Aborted when the request timed out or its client went away: queued work is dropped. */
  signal?: AbortSignal;
  /** Work sharing a group takes turns with other groups (the core passes the request id). */
  group?: string;
}

/** Password hashing off the main event loop. */
export interface PasswordHasher {
  hash(password: string, options?: HashOptions): Promise<string>;
  /** Verifies `password` against `hash`; a malformed hash verifies false. */
  verify(password: string, hash: string, options?: HashOptions): Promise<boolean>;
  /**
   * Spends the time of one verification against a fixed dummy hash and resolves false, so
   * that an unknown-user login costs what a wrong password costs.
   */
  verifyDummy(password: string, options?: HashOptions): Promise<false>;
  /** Stops the worker threads. */
  close(): Promise<void>;
}

export const PASSWORD_HASHER = Symbol.for('app.PasswordHasher');
