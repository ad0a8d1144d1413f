/** A mail waiting in the outbox. */
export interface OutboxMail {
  id: number;
  kind: string;
  recipient: string;
  subject: string;
  text_body: string;
  html_body: string;
  /** Sends tried so far (counted when a sender claims the mail). */
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  failed_at: Date | null;
  created_at: Date;
}

export type NewOutboxMail = Pick<OutboxMail, 'kind' | 'recipient' | 'subject' | 'text_body' | 'html_body' | 'next_attempt_at' | 'created_at'>;

/** Data access for the mail outbox: no rules. Joins the ambient unit-of-work transaction. */
export interface MailOutboxRepository {
  add(mail: NewOutboxMail): Promise<void>;
  /** Up to `limit` mails not given up whose next attempt is due at `now`, oldest first. */
  due(now: Date, limit: number): Promise<OutboxMail[]>;
  /**
   * Takes the mail for one attempt: counts the attempt and moves its next attempt to
   * `leaseUntil` (so a sender that dies mid-send leaves it to be retried then), only if no
   * other sender took it since it was read with `attempts`. False when another one did.
   */
  claim(id: number, attempts: number, leaseUntil: Date): Promise<boolean>;
  /** Removes a sent mail, and with it the link it carried. */
  delete(id: number): Promise<void>;
  /** Schedules the next attempt after a failure. */
  retryAt(id: number, next: Date, error: string): Promise<void>;
  /** Gives the mail up: marks it failed and blanks its subject and bodies. */
  giveUp(id: number, now: Date, error: string): Promise<void>;
  /** Mails not yet sent nor given up. */
  pendingCount(): Promise<number>;
}

export const MAIL_OUTBOX_REPOSITORY = Symbol.for('app.MailOutboxRepository');
