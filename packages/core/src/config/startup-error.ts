/**
 * Thrown by `createCore` when something the configuration names cannot be used at start: the
 * database is unreachable, refuses the credentials, or does not exist. The message is one
 * line that names the variable (`DATABASE_URL: …`) and never holds a secret; the driver's
 * error is kept as `cause` for debugging.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}
