import { AsyncLocalStorage } from 'node:async_hooks';

/** What one unit of work (an HTTP request, a worker job) carries through async calls. */
export interface ExecutionScope {
  /** Aborted when the request timed out: open transactions roll back instead of committing. */
  signal?: AbortSignal;
}

/**
 * A per-core AsyncLocalStorage (never a process global, so two cores share nothing). The
 * HTTP pipeline runs each handler inside {@link ExecutionContext.run}; the unit of work reads
 * the signal from here.
 */
export class ExecutionContext {
  private readonly storage = new AsyncLocalStorage<ExecutionScope>();

  run<T>(scope: ExecutionScope, work: () => Promise<T>): Promise<T> {
    return this.storage.run(scope, work);
  }

  /** The abort signal of the enclosing scope, if any. */
  get signal(): AbortSignal | undefined {
    return this.storage.getStore()?.signal;
  }
}

export const EXECUTION_CONTEXT = Symbol.for('app.ExecutionContext');
