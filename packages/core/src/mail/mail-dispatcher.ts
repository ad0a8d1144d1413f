import type { Clock } from '../clock/clock';
import type { ExecutionContext } from '../context/execution-context';
import type { UnitOfWork } from '../database/unit-of-work';
import type { EventBus } from '../events/event-bus';
import type { Logger } from '../logger/logger';
import type { MailOutboxRepository, OutboxMail } from '../repositories/mail-outbox-repository';
import type { MailKind, MailRenderer, MailTemplateData } from './mail-templates';
import type { Mailer } from './mailer';

/** Options of {@link MailDispatcher}. */
export interface MailDispatcherOptions {
  /** How often the outbox is checked for mails due. */
  pollIntervalMs: number;
  /** Attempts per mail before it is given up. */
  maxAttempts: number;
  /** Delay before the first retry; each further retry doubles it, up to an hour. */
  retryDelayMs?: number;
  /** How long a claimed mail is left to its sender before another may retry it. */
  leaseMs?: number;
  /** Send after commits and on the timer (default true); false only queues. */
  autoSend?: boolean;
}

export interface MailDispatcherDeps {
  outbox: MailOutboxRepository;
  mailer: Mailer;
  renderer: MailRenderer;
  uow: UnitOfWork;
  events: EventBus;
  logger: Logger;
  clock: Clock;
  /** Drains run in a scope of their own, never under the abort signal of the request that queued a mail. */
  executionContext: ExecutionContext;
}

const BATCH = 20;
const MAX_RETRY_DELAY_MS = 3_600_000;

/**
 * Sends the core's mails through the outbox (docs/guides/security.md "Mail"): `queue`
 * renders a mail and writes it in the open transaction, so a rolled-back change sends
 * nothing; after the commit, and on a timer, `drain` sends what is due. A failed send is
 * logged and retried with a growing delay; after the last attempt the mail is given up (its
 * bodies blanked, `mail.failed` emitted). A sent mail's row is deleted, so a reset link
 * stays at rest only until its mail has gone. Sending never fails the request that caused it.
 */
export class MailDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private again = false;
  private stopped = false;
  private readonly retryDelayMs: number;
  private readonly leaseMs: number;

  constructor(
    private readonly deps: MailDispatcherDeps,
    private readonly options: MailDispatcherOptions,
  ) {
    this.retryDelayMs = options.retryDelayMs ?? 5_000;
    this.leaseMs = options.leaseMs ?? 60_000;
  }

  /**
   * Renders a mail of `kind` to `to` and writes it to the outbox inside the open unit of
   * work; the send is tried once that work has committed.
   */
  async queue<K extends MailKind>(kind: K, to: string, data: MailTemplateData[K]): Promise<void> {
    const rendered = this.deps.renderer.render(kind, data);
    const now = this.deps.clock.now();
    await this.deps.outbox.add({
      kind,
      recipient: to,
      subject: rendered.subject,
      text_body: rendered.text,
      html_body: rendered.html,
      next_attempt_at: now,
      created_at: now,
    });
    this.deps.uow.afterCommit(() => this.kick());
  }

  /** Starts the timer (it does not keep the process alive) and sends what was left due. */
  start(): void {
    if (this.timer || this.stopped || this.options.autoSend === false) return;
    this.timer = setInterval(() => this.kick(), this.options.pollIntervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Stops the timer and waits for a drain in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Starts a drain in the background (or asks the running one to go round again). */
  kick(): void {
    if (this.stopped || this.options.autoSend === false) return;
    void this.drain().catch((error: unknown) => this.deps.logger.error({ err: error }, 'mail outbox drain failed'));
  }

  /**
   * Sends every mail due now, one after another, and resolves with how many were sent. A
   * call while a drain runs joins it (and makes it look again once it is done).
   */
  drain(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.deps.executionContext.run({}, () => this.drainAll()).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drainAll(): Promise<number> {
    let sent = 0;
    do {
      this.again = false;
      for (;;) {
        const due = await this.deps.outbox.due(this.deps.clock.now(), BATCH);
        if (due.length === 0 || this.stopped) break;
        let progressed = false;
        for (const mail of due) {
          if (this.stopped) break;
          const result = await this.attempt(mail);
          if (result !== 'taken') progressed = true;
          if (result === 'sent') sent += 1;
        }
        if (!progressed) break;
      }
    } while (this.again && !this.stopped);
    return sent;
  }

  private async attempt(mail: OutboxMail): Promise<'sent' | 'failed' | 'taken'> {
    const { outbox, mailer, clock, logger } = this.deps;
    const now = clock.now();
    if (!(await outbox.claim(mail.id, mail.attempts, new Date(now.getTime() + this.leaseMs)))) return 'taken';
    const attempts = mail.attempts + 1;
    try {
      await mailer.send({ to: mail.recipient, subject: mail.subject, text: mail.text_body, html: mail.html_body, kind: mail.kind });
    } catch (error) {
      await this.failed(mail, attempts, describe(error));
      return 'failed';
    }
    await outbox.delete(mail.id);
    logger.debug({ mail: { id: mail.id, kind: mail.kind, attempts } }, 'mail sent');
    return 'sent';
  }

  private async failed(mail: OutboxMail, attempts: number, error: string): Promise<void> {
    const { outbox, clock, logger, uow, events } = this.deps;
    const fields = { mail: { id: mail.id, kind: mail.kind, to: mail.recipient, attempts }, error };
    if (attempts < this.options.maxAttempts) {
      const delay = Math.min(this.retryDelayMs * 2 ** (attempts - 1), MAX_RETRY_DELAY_MS);
      await outbox.retryAt(mail.id, new Date(clock.now().getTime() + delay), error);
      logger.warn({ ...fields, retry_in_ms: delay }, 'mail send failed; will retry');
      return;
    }
    await uow.run(async () => {
      await outbox.giveUp(mail.id, clock.now(), error);
      await events.emit('mail.failed', { kind: mail.kind, to: mail.recipient, attempts, error });
    });
    logger.error(fields, 'mail send failed; giving up');
  }
}

/** A failure as one line, never longer than the column holds comfortably. */
function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.slice(0, 500);
}

export const MAIL_DISPATCHER = Symbol.for('app.MailDispatcher');
