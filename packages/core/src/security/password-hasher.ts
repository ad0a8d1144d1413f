/** How one hashing call takes part in the shared queue. */
export interface HashOptions {
  /** Aborted when the request timed out or its client went away: queued work is dropped. */
  signal?: AbortSignal;
  /** Work sharing a group takes turns with other groups (the core passes the request id). */
  group?: string;
}

/**
 * Password hashing off the event loop (see `docs/guides/security.md`, "Passwords").
 * Implementations must pass `passwordHasherContract` from `@app/core/testing`.
 *
 * Every call may be refused at once with `AppError('service_unavailable')` (carrying
 * `retryAfterSeconds`) when the hashing queue is overloaded, and rejects with the signal's
 * reason (or `AppError('request_timeout')`) when `options.signal` aborts before it finished.
 */
export interface PasswordHasher {
  /** A new salted hash of `password` with the configured algorithm and parameters. */
  hash(password: string, options?: HashOptions): Promise<string>;
  /** False for a mismatch or an unrecognised/corrupt hash; never throws for those. */
  verify(password: string, hash: string, options?: HashOptions): Promise<boolean>;
  /** True when `hash` was made with another algorithm or parameters than configured now. */
  needsRehash(hash: string): boolean;
  /**
   * Optional: takes a place in the queue for a call with `options` that will come after some
   * costly work (a login's database lookups), or throws the `service_unavailable` that call
   * would be refused with right now. The place counts against later arrivals until that call
   * is queued or the returned release function runs (call it in `finally`; it is idempotent).
   */
  reserve?(options?: HashOptions): () => void;
  /** Costs what a real verify costs, then resolves false (unknown-user logins). */
  verifyDummy(password: string, options?: HashOptions): Promise<false>;
  /** Stops the hashing threads; pending and later calls reject. Idempotent. */
  close(): Promise<void>;
}

export const PASSWORD_HASHER = Symbol.for('app.PasswordHasher');
