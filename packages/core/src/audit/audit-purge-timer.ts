import type { Logger } from '../logger/logger';
import type { AuditPurgeOptions, AuditPurgeResult } from '../services/audit-service';

/**
 * The optional in-process retention purge (`audit.purgeIntervalMinutes`): runs the purge every
 * interval, never two at once, on an `unref()`ed timer so it never keeps a process alive.
 * {@link stop} (called by the core's `close()`) clears the timer, asks a running purge to stop
 * after its current batch and waits for it, so the pool is never closed under it.
 */
export class AuditPurgeTimer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly controller = new AbortController();

  constructor(
    private readonly purge: (options: AuditPurgeOptions) => Promise<AuditPurgeResult>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  /** Starts the timer; the first purge runs one interval from now. */
  start(): void {
    if (this.timer || this.controller.signal.aborted) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Runs one purge now unless one is running; resolves when it ends. Never rejects. */
  tick(): Promise<void> {
    if (this.controller.signal.aborted) return Promise.resolve();
    this.running ??= this.purge({ signal: this.controller.signal })
      .then(({ deleted, cutoff }) => {
        if (deleted > 0) this.logger.info({ deleted, cutoff: cutoff.toISOString() }, 'audit events purged');
      })
      .catch((error: unknown) => this.logger.error({ err: error }, 'audit purge failed'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** Stops the timer and waits for a running purge to finish its batch. Idempotent. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.controller.abort();
    await this.running;
  }
}
