/** One look at the queue, all in milliseconds: what a newcomer would wait, against what. */
export interface QueueReading {
  /** The expected wait of a job of a group new to the queue. */
  waitMs: number;
  /** A wait above this is a queue; at or below half of it the queue has gone. */
  targetMs: number;
  /** How long the wait must stay above the target before the queue counts as standing. */
  intervalMs: number;
  /** The clock of the reading. */
  now: number;
}

/**
 * Tells a burst from a standing queue, as CoDel does for packets (docs/decisions.md,
 * "A standing queue"): a wait above the target is a burst until it has stayed there, without a
 * break, for the interval; from then on the queue is standing until the wait falls to half
 * the target or less. Feed it after every change of the queue (a dip below the target
 * starts the interval again) and before every admission decision.
 *
 * @example
 * const queue = new StandingQueue();
 * queue.observe({ waitMs: 4000, targetMs: 1500, intervalMs: 500, now: 0 }); // false: a burst
 * queue.observe({ waitMs: 3500, targetMs: 1500, intervalMs: 500, now: 500 }); // true: standing
 * queue.observe({ waitMs: 1000, targetMs: 1500, intervalMs: 500, now: 3000 }); // still true
 * queue.observe({ waitMs: 500, targetMs: 1500, intervalMs: 500, now: 3500 }); // false
 */
export class StandingQueue {
  private aboveSince: number | undefined;
  private standing = false;

  /** Takes a reading; true while the queue is standing. */
  observe({ waitMs, targetMs, intervalMs, now }: QueueReading): boolean {
    if (waitMs <= targetMs) this.aboveSince = undefined;
    else this.aboveSince ??= now;
    if (this.standing) this.standing = waitMs > targetMs / 2;
    else this.standing = this.aboveSince !== undefined && now - this.aboveSince >= intervalMs;
    return this.standing;
  }
}
