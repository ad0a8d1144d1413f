import type { Logger } from '../logger/logger';
import type { SessionRepository } from '../repositories/session-repository';

/**
 * Deletes sessions that can never be used again (expired, or revoked by a logout), on a
 * timer and on demand (`core.maintenance.purgeExpiredSessions()`, the CLI's `sessions purge`).
 * Every instance may run it: the delete is idempotent.
 */
export class SessionPurge {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly sessions: Pick<SessionRepository, 'purgeExpired'>,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Deletes every session expired or revoked as of now; resolves with how many went. */
  run(): Promise<number> {
    // A run still in progress is joined rather than doubled.
    this.running ??= this.sessions.purgeExpired(this.now()).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * Runs every `intervalMinutes` (0 = never) until {@link stop}. The timer never keeps the
   * process alive, and a failing run is logged, not thrown.
   */
  start(intervalMinutes: number): void {
    if (intervalMinutes <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.run().then(
        (count) => {
          if (count > 0) this.logger.info({ count }, 'purged expired or revoked sessions');
        },
        (error: unknown) => this.logger.warn({ err: error }, 'session purge failed'),
      );
    }, intervalMinutes * 60_000);
    this.timer.unref();
  }

  /** Stops the timer and waits for a run in progress, so the pool can close after it. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
