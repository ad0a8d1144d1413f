import type { ExecutionContext, ExecutionScope } from '../context/execution-context';
import { timeoutError, type AppError } from '../errors/app-error';

/** What {@link runWithDeadline} needs. */
export interface DeadlineOptions<T> {
  executionContext: ExecutionContext;
  timeoutMs: number;
  /**
   * The client's signal (aborted when it went away), merged into the work's signal. Asked
   * for only when the work's signal is: a request whose work never reads its signal (a
   * cached read) makes neither.
   */
  clientSignal?: () => AbortSignal | undefined;
  /** What else the work's execution scope carries (the request id, the client). */
  scope?: Pick<ExecutionScope, 'requestId' | 'client'>;
  /**
   * The work, run in an execution scope whose signal aborts at the deadline or on hang-up.
   * `run.signal` (the same as the scope's) is made on first read.
   */
  work: (run: WorkSignal) => Promise<T>;
  /** The answer at the deadline, when nothing of the work can have been written. */
  onTimeout: (error: AppError) => T;
}

/** The work's view of its run: the signal that aborts at the deadline or when the client goes away. */
export interface WorkSignal {
  readonly signal: AbortSignal;
}

/**
 * Runs `work` against the request timeout without ever lying about its outcome:
 *
 * - Before any commit has started, the deadline aborts the scope's signal (the unit of work
 *   rolls back whatever is open, queued hashing is dropped) and answers `onTimeout` at once.
 * - Once a commit has started (the unit of work reports it through the scope), the deadline
 *   no longer answers: the client gets the work's real outcome, success or failure, when it
 *   is known. A 504 therefore always means that nothing was written.
 *
 * See docs/decisions.md ("Timeouts never lie"). The deadlines of all requests with the same
 * timeout share one timer ({@link DeadlineQueue}); the work's signal is made only when
 * something reads it (a transaction, the hasher, the body reader), already aborted if the
 * deadline passed or the client left before that, and it follows the client's signal through
 * one listener: no timer, no `AbortSignal.any` and, on a cached read, no `AbortController`.
 */
export function runWithDeadline<T>(options: DeadlineOptions<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => new DeadlineRun(options, resolve, reject).start());
}

/** What {@link DeadlineQueue} keeps of a run. */
interface Pending {
  deadline: number;
  readonly done: boolean;
  expire(): void;
}

/** One request's run: its lazily made controller, commit flag and place in its timeout's queue. */
class DeadlineRun<T> implements Pending, WorkSignal {
  private controller: AbortController | undefined;
  /** The deadline's error once it passed before a commit started. */
  private timedOut: AppError | undefined;
  private client: AbortSignal | undefined;
  deadline = 0;
  private commitStarted = false;
  /** Settled: answered (the work's outcome or the timeout); the queue then skips it. */
  done = false;

  constructor(
    private readonly options: DeadlineOptions<T>,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  start(): void {
    const { options } = this;
    const run = this;
    const scope: ExecutionScope = {
      ...options.scope,
      get signal() {
        return run.signal;
      },
      onCommit: this.onCommit,
    };
    queueFor(options.timeoutMs).add(this);
    options.executionContext.run(scope, () => options.work(this)).then(
      (value) => this.settle() && this.resolve(value),
      (error: unknown) => this.settle() && this.reject(error),
    );
  }

  get signal(): AbortSignal {
    if (this.controller) return this.controller.signal;
    const controller = (this.controller = new AbortController());
    const client = this.options.clientSignal?.();
    if (this.timedOut) controller.abort(this.timedOut);
    else if (client?.aborted) controller.abort(client.reason);
    else if (client && !this.done) {
      this.client = client;
      client.addEventListener('abort', this.onClientAbort);
    }
    return controller.signal;
  }

  /** Called by the queue once the deadline has passed. */
  expire(): void {
    if (this.done || this.commitStarted) return;
    this.done = true;
    const error = timeoutError(this.options.timeoutMs);
    this.timedOut = error;
    this.controller?.abort(error);
    this.resolve(this.options.onTimeout(error));
  }

  /** True when the work's outcome is still the answer (the deadline did not answer first). */
  private settle(): boolean {
    this.client?.removeEventListener('abort', this.onClientAbort);
    this.client = undefined;
    if (this.done) return false;
    this.done = true;
    queueFor(this.options.timeoutMs).drop();
    return true;
  }

  private readonly onCommit = (): void => {
    this.commitStarted = true;
  };

  private readonly onClientAbort = (): void => {
    this.controller?.abort(this.client?.reason);
  };
}

/**
 * The pending deadlines of one timeout, in the order they were added, which is also the
 * order they fall due (one clock, one timeout): one timer, set for the oldest pending
 * deadline, instead of a timer per request. Runs that finished are dropped from the front
 * as soon as they get there, so the queue holds about the requests in flight.
 */
class DeadlineQueue {
  private runs: Array<Pending | undefined> = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly timeoutMs: number) {}

  add(run: Pending): void {
    run.deadline = performance.now() + this.timeoutMs;
    this.runs.push(run);
    if (this.timer === undefined) this.schedule(this.timeoutMs);
  }

  /** Drops finished runs from the front; stops the timer when none is pending. */
  drop(): void {
    const { runs } = this;
    while (this.head < runs.length && runs[this.head]!.done) runs[this.head++] = undefined;
    if (this.head === runs.length) {
      this.runs = [];
      this.head = 0;
      clearTimeout(this.timer);
      this.timer = undefined;
    } else if (this.head > 1024 && this.head * 2 > runs.length) {
      this.runs = runs.slice(this.head);
      this.head = 0;
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(delayMs)));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    // Timers run on the event loop's cached clock, which can lag performance.now() by a
    // millisecond: a deadline within that of now is due.
    const now = performance.now() + 1;
    const { runs } = this;
    while (this.head < runs.length && runs[this.head]!.deadline <= now) {
      const run = runs[this.head]!;
      runs[this.head++] = undefined;
      run.expire();
    }
    this.drop();
    if (this.head < this.runs.length && this.timer === undefined) this.schedule(this.runs[this.head]!.deadline - performance.now());
  };
}

const queues = new Map<number, DeadlineQueue>();

function queueFor(timeoutMs: number): DeadlineQueue {
  let queue = queues.get(timeoutMs);
  if (!queue) queues.set(timeoutMs, (queue = new DeadlineQueue(timeoutMs)));
  return queue;
}
