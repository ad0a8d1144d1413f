import type { ExecutionContext, ExecutionScope } from '../context/execution-context';
import { timeoutError, type AppError } from '../errors/app-error';

/** What {@link runWithDeadline} needs. */
export interface DeadlineOptions<T> {
  executionContext: ExecutionContext;
  timeoutMs: number;
  /** The client's signal (aborted when it went away), merged into the work's signal. */
  clientSignal?: AbortSignal;
  /** What else the work's execution scope carries (the request id, the client). */
  scope?: Pick<ExecutionScope, 'requestId' | 'client'>;
  /** The work, run in an execution scope whose signal aborts at the deadline or on hang-up. */
  work: (signal: AbortSignal) => Promise<T>;
  /** The answer at the deadline, when nothing of the work can have been written. */
  onTimeout: (error: AppError) => T;
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
 * See docs/decisions.md ("Timeouts never lie").
 */
export function runWithDeadline<T>(options: DeadlineOptions<T>): Promise<T> {
  const { executionContext, timeoutMs, clientSignal } = options;
  const controller = new AbortController();
  const signal = clientSignal ? AbortSignal.any([controller.signal, clientSignal]) : controller.signal;
  let commitStarted = false;
  const scope: ExecutionScope = {
    ...options.scope,
    signal,
    onCommit: () => {
      commitStarted = true;
    },
  };
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      if (commitStarted) return;
      const error = timeoutError(timeoutMs);
      controller.abort(error);
      resolve(options.onTimeout(error));
    }, timeoutMs);
    executionContext.run(scope, () => options.work(signal)).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
