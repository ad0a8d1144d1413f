/** One message the core sends (a password reset link, a verification link, a notice). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** What the message is for, e.g. `password_reset`; lets a mailer or a test tell them apart. */
  kind: string;
}

/**
 * The mailer port. `send` resolves once the message is handed over (SMTP accepted it, the
 * outbox stored it) and rejects when it could not be; the core never sends inside a
 * database transaction and retries failed sends (docs/guides/security.md).
 */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export const MAILER = Symbol.for('app.Mailer');

/** True when `value` has a `send()` method. */
export function isMailer(value: unknown): value is Mailer {
  return typeof value === 'object' && value !== null && typeof (value as Mailer).send === 'function';
}
