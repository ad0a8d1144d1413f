import { AppError, isAppError } from '../errors/app-error';
import { FairQueue } from './fair-queue';
import { StandingQueue } from './standing-queue';

/** Runs one job on a thread; the scheduler never gives it more than `size` at once. */
export interface JobRunner<J, R> {
  readonly size: number;
  run(job: J): Promise<R>;
  close(): Promise<void>;
}

/** Options of {@link HashScheduler}. */
export interface HashSchedulerOptions {
  /**
   * Refuse new work at once when a newcomer's expected wait is longer than this; while the
   * queue is standing, longer than the target (one hash plus one job start) if that is less.
   */
  maxWaitMs: number;
  /** Called as each job starts, with the time it spent queued (the `app_hash_queue_wait_seconds` feed). */
  onQueueWait?: (seconds: number) => void;
  /** Milliseconds clock; tests pass a fake one. Default `performance.now`. */
  now?: () => number;
}

/** Where a job is queued and who is waiting for it. */
export interface ScheduleOptions {
  signal?: AbortSignal;
  /** Jobs with the same key take turns with other keys; the default key is shared. */
  group?: unknown;
}

interface Pending<J, R> {
  job: J;
  group: unknown;
  signal?: AbortSignal;
  queuedAt: number;
  running: boolean;
  done: boolean;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

const DEFAULT_GROUP = Symbol('ungrouped');
// A group that is never queued: the one whose expected wait tells a standing queue.
const NEWCOMER = Symbol('newcomer');
// How long a newcomer's wait must stay above the target for the queue to count as standing:
// a burst is what arrives together (CoDel's interval, about a network round trip).
const INTERVAL_MS = 100;
// Weight of the latest run in the moving average of run times.
const SMOOTHING = 0.2;

/** The error an aborted call rejects with: the signal's own AppError, else a timeout. */
export function abortError(signal: AbortSignal): AppError {
  return isAppError(signal.reason) ? signal.reason : new AppError('request_timeout', 'Request was aborted before password hashing finished');
}

/**
 * The queue in front of the hashing threads: groups take turns ({@link FairQueue}), a job
 * whose signal aborts is dropped before it reaches a thread (or, if already running, its
 * caller is answered at once while the thread finishes), and a newcomer that would wait
 * longer than `maxWaitMs` is refused at once with 503 `service_unavailable` and
 * `retryAfterSeconds`. The expected wait is the number of job starts ahead of a newcomer
 * (one per other group queued, since groups take turns, plus the running jobs) times the
 * moving average of run times, divided by the threads; a group holding a place from
 * `reserve` counts as one queued group. A group's own backlog is not counted against it,
 * so a bulk create's hundred hashes are admitted together.
 *
 * A burst is absorbed up to `maxWaitMs`, but a queue that stands tells later arrivals to
 * come back rather than wait ({@link StandingQueue}, docs/decisions.md, "A standing queue"): once a
 * newcomer's expected wait has stayed above the target, (threads + 1) job starts, for
 * 100 ms, the limit is the target until the wait falls to half of it.
 */
export class HashScheduler<J, R> {
  private readonly queue = new FairQueue<Pending<J, R>>();
  private readonly watched = new Map<AbortSignal, { jobs: Set<Pending<J, R>>; onAbort: () => void }>();
  private readonly runningJobs = new Map<Pending<J, R>, number>();
  /** Groups holding a place from {@link reserve} whose job is not queued yet. */
  private readonly reserved = new Map<unknown, object>();
  private readonly standing = new StandingQueue();
  private averageRunMs: number | undefined;
  private closed = false;
  private readonly now: () => number;

  constructor(
    private readonly runner: JobRunner<J, R>,
    private readonly options: HashSchedulerOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Queues `job`; rejects at once when closed, aborted or overloaded (unless its group holds a place from {@link reserve}). */
  schedule(job: J, options: ScheduleOptions = {}): Promise<R> {
    const { signal } = options;
    if (this.closed) return Promise.reject(new Error('Password hasher is closed'));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const group = options.group ?? signal ?? DEFAULT_GROUP;
    // A group holding a place from reserve() was admitted then: its job is not refused after
    // its lookups because later places filled the queue or the queue has become standing.
    if (!this.reserved.delete(group)) {
      try {
        this.refuseIfOverloaded(group);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise<R>((resolve, reject) => {
      const pending: Pending<J, R> = { job, group, signal, queuedAt: this.now(), running: false, done: false, resolve, reject };
      this.queue.push(group, pending);
      if (signal) this.watch(signal, pending);
      this.pump();
      this.observe();
    });
  }

  /**
   * Takes a place for a job of `group` that will be scheduled after some costly work (a
   * login's lookups), or throws the 503 `service_unavailable` (with `retryAfterSeconds`)
   * that job would get now. Until the job is scheduled or the returned function releases it,
   * the place counts as one more group ahead of every newcomer, so a burst that arrives
   * before any of its hashes is queued is still shed at the door, not after its lookups.
   * The place admits that job however the queue has changed meanwhile.
   */
  reserve(group: unknown = DEFAULT_GROUP): () => void {
    if (this.reserved.has(group)) return () => undefined;
    this.refuseIfOverloaded(group);
    if (this.queue.has(group)) return () => undefined;
    const place = {};
    this.reserved.set(group, place);
    this.observe();
    return () => {
      if (this.reserved.get(group) !== place) return;
      this.reserved.delete(group);
      this.observe();
    };
  }

  private refuseIfOverloaded(group: unknown): void {
    const waitMs = this.expectedWaitMs(group);
    const limitMs = this.observe() ? Math.min(this.options.maxWaitMs, this.targetMs()) : this.options.maxWaitMs;
    if (waitMs <= limitMs) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
    throw new AppError('service_unavailable', 'Password hashing is overloaded; try again shortly', { retryAfterSeconds });
  }

  /** How long a new job of `group` would wait before a thread takes it, in ms. */
  expectedWaitMs(group: unknown = DEFAULT_GROUP): number {
    const ahead = this.queue.groupCount - (this.queue.has(group) ? 1 : 0) + this.reserved.size - (this.reserved.has(group) ? 1 : 0);
    const starts = this.runningJobs.size + ahead - this.runner.size + 1;
    return starts > 0 ? (starts * this.estimatedRunMs()) / this.runner.size : 0;
  }

  /** Jobs queued and running now, and whether the queue is standing (for metrics and tests). */
  get stats(): { queued: number; running: number; groups: number; standing: boolean } {
    return { queued: this.queue.size, running: this.runningJobs.size, groups: this.queue.groupCount, standing: this.observe() };
  }

  /**
   * The wait above which a queue is more than a burst: every thread's next job and one more
   * group (a bulk create and a login queued behind it). A call admitted while the queue
   * stands is answered within one hash plus one start, plus its own hash.
   */
  private targetMs(): number {
    return ((this.runner.size + 1) * this.estimatedRunMs()) / this.runner.size;
  }

  /** Reads the queue into {@link StandingQueue} after each change; true while standing. */
  private observe(): boolean {
    return this.standing.observe({ waitMs: this.expectedWaitMs(NEWCOMER), targetMs: this.targetMs(), intervalMs: INTERVAL_MS, now: this.now() });
  }

  /** Rejects queued and running calls, then closes the runner. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedError = new Error('Password hasher is closed');
    for (const pending of [...this.queue.drain(), ...this.runningJobs.keys()]) this.settle(pending, () => pending.reject(closedError));
    this.runningJobs.clear();
    await this.runner.close();
  }

  private estimatedRunMs(): number {
    if (this.averageRunMs !== undefined) return this.averageRunMs;
    // Before the first job finished, the longest-running job is a lower bound.
    const now = this.now();
    let longest = 0;
    for (const startedAt of this.runningJobs.values()) longest = Math.max(longest, now - startedAt);
    return longest;
  }

  private pump(): void {
    while (!this.closed && this.runningJobs.size < this.runner.size) {
      const pending = this.queue.shift();
      if (!pending) return;
      this.start(pending);
    }
  }

  private start(pending: Pending<J, R>): void {
    const startedAt = this.now();
    pending.running = true;
    this.runningJobs.set(pending, startedAt);
    this.options.onQueueWait?.((startedAt - pending.queuedAt) / 1000);
    this.runner.run(pending.job).then(
      (result) => this.finish(pending, startedAt, () => pending.resolve(result)),
      (error: unknown) => this.finish(pending, startedAt, () => pending.reject(error)),
    );
  }

  private finish(pending: Pending<J, R>, startedAt: number, answer: () => void): void {
    if (!this.runningJobs.delete(pending)) return; // close() already answered it
    const ranMs = this.now() - startedAt;
    this.averageRunMs = this.averageRunMs === undefined ? ranMs : this.averageRunMs + SMOOTHING * (ranMs - this.averageRunMs);
    this.settle(pending, answer);
    this.pump();
    this.observe();
  }

  private settle(pending: Pending<J, R>, answer: () => void): void {
    if (pending.done) return;
    pending.done = true;
    if (pending.signal) this.unwatch(pending.signal, pending);
    answer();
  }

  // One listener per signal, however many jobs share it (a bulk create's hundred hashes).
  private watch(signal: AbortSignal, pending: Pending<J, R>): void {
    let entry = this.watched.get(signal);
    if (!entry) {
      const jobs = new Set<Pending<J, R>>();
      entry = { jobs, onAbort: () => this.abortAll(signal, jobs) };
      this.watched.set(signal, entry);
      signal.addEventListener('abort', entry.onAbort, { once: true });
    }
    entry.jobs.add(pending);
  }

  private unwatch(signal: AbortSignal, pending: Pending<J, R>): void {
    const entry = this.watched.get(signal);
    if (!entry) return;
    entry.jobs.delete(pending);
    if (entry.jobs.size > 0) return;
    this.watched.delete(signal);
    signal.removeEventListener('abort', entry.onAbort);
  }

  private abortAll(signal: AbortSignal, jobs: Set<Pending<J, R>>): void {
    const error = abortError(signal);
    for (const pending of [...jobs]) {
      // A running job keeps its thread until it ends (a hash cannot be interrupted); only
      // its caller is answered now.
      if (!pending.running) this.queue.remove(pending.group, pending);
      this.settle(pending, () => pending.reject(error));
    }
    this.observe();
  }
}
