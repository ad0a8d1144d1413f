import type { Logger } from '../logger/logger';
import type { Mailer, MailMessage } from './mailer';

/** Options of {@link LogMailer}. */
export interface LogMailerOptions {
  /**
   * Log the bodies too (default true). Off in production, where a body holding a reset link
   * would put a live credential into the logs: then only who, what and which kind are logged.
   */
  bodies?: boolean;
}

/**
 * The development mailer, the default when `SMTP_URL` is unset: each message becomes one
 * `info` line of the core's logger (`mail` field: to, subject, kind, and the text and HTML bodies, so a
 * developer can follow a reset link from the console). Nothing leaves the process.
 *
 * @example
 * const core = await createCore({ mailer: new LogMailer(logger) });
 */
export class LogMailer implements Mailer {
  private readonly bodies: boolean;

  constructor(
    private readonly logger: Logger,
    options: LogMailerOptions = {},
  ) {
    this.bodies = options.bodies ?? true;
  }

  async send(message: MailMessage): Promise<void> {
    const { to, subject, kind, text, html } = message;
    this.logger.info({ mail: this.bodies ? { to, subject, kind, text, html } : { to, subject, kind } }, `mail to ${to}: ${subject}`);
  }
}
