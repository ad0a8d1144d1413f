import nodemailer, { type Transporter } from 'nodemailer';
import type { Mailer, MailMessage } from './mailer';

/** Options of {@link SmtpMailer}. */
export interface SmtpMailerOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when the server offers it) or `smtps://…:465`. */
  url: string;
  /** The sender: `noreply@example.com` or `Example <noreply@example.com>`. */
  from: string;
  /** Give up on a connection or a reply after this long (default 10 000 ms). */
  timeoutMs?: number;
}

/**
 * The SMTP mailer, through nodemailer (a pooled transport: a few connections reused
 * across messages). `send` resolves when the server accepted the message and rejects when
 * it refused it or could not be reached; the core's outbox then retries.
 *
 * @example
 * const mailer = new SmtpMailer({ url: 'smtp://user:pass@mail.example.com:587', from: 'noreply@example.com' });
 */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;
  private readonly from: string;

  constructor(options: SmtpMailerOptions) {
    const timeout = options.timeoutMs ?? 10_000;
    this.from = options.from;
    this.transport = nodemailer.createTransport({
      url: options.url,
      pool: true,
      maxConnections: 2,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    } as Parameters<typeof nodemailer.createTransport>[0]);
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: { 'X-Mail-Kind': message.kind },
    });
  }

  /** Closes the pooled connections. */
  async close(): Promise<void> {
    this.transport.close();
  }
}
