import type { Mailer, MailMessage } from './mailer';

/** Options of {@link MemoryOutbox.waitFor}. */
export interface WaitForMailOptions {
  /** Give up after this many milliseconds (default 10 000). */
  timeoutMs?: number;
}

/**
 * A mailer that keeps every message in memory, for tests: `messages` in the order they were
 * sent, `waitFor` to wait (with a deadline) until a matching one has arrived, and
 * `failNext` to make the next sends reject, as an SMTP outage would.
 *
 * @example
 * const outbox = new MemoryOutbox();
 * const core = await createCore({ mailer: outbox });
 * await core.services.account.requestPasswordReset({ email: 'ada@example.com' });
 * const mail = await outbox.waitFor((m) => m.to === 'ada@example.com' && m.kind === 'password_reset');
 */
export class MemoryOutbox implements Mailer {
  readonly messages: MailMessage[] = [];
  private failures = 0;
  private waiters = new Set<() => void>();

  async send(message: MailMessage): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('MemoryOutbox: simulated send failure');
    }
    this.messages.push({ ...message });
    for (const wake of this.waiters) wake();
  }

  /** Makes the next `count` sends reject. */
  failNext(count = 1): void {
    this.failures += count;
  }

  /** The messages sent to `to`, oldest first. */
  to(address: string): MailMessage[] {
    return this.messages.filter((message) => message.to === address);
  }

  /** Forgets every message. */
  clear(): void {
    this.messages.length = 0;
  }

  /**
   * Resolves with the first message (oldest first) matching `predicate`, as soon as one has
   * been sent; rejects after the timeout.
   */
  waitFor(predicate: (message: MailMessage) => boolean, options: WaitForMailOptions = {}): Promise<MailMessage> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find(predicate);
        if (!found) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`MemoryOutbox: no matching mail within ${timeoutMs} ms (${this.messages.length} sent)`));
      }, timeoutMs);
      const wake = () => void check();
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
      check();
    });
  }
}
