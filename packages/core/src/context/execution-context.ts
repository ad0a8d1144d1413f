import { AsyncLocalStorage } from 'node:async_hooks';
import type { ClientInfo } from '../domain/types';

/** What one unit of work (an HTTP request, a worker job) carries through async calls. */
export interface ExecutionScope {
  /**
   * Aborted when the request timed out or its client went away: open transactions roll back
   * instead of committing, and queued work (hashing) of the request is dropped.
   */
  signal?: AbortSignal;
  /**
   * Told, synchronously, when work of this scope may become durable: a transaction starts
   * committing, or a write runs outside any transaction. From then on the HTTP pipeline no
   * longer answers 504, because it could not tell the client that nothing was written.
   */
  onCommit?: () => void;
  /** The request id, for hooks and logs. */
  requestId?: string;
  /** Who is calling, and from where. */
  client?: ClientInfo;
}

/**
 * A per-core AsyncLocalStorage (never a process global, so two cores share nothing). The
 * HTTP pipeline runs each handler inside {@link ExecutionContext.run}; the unit of work reads
 * the signal from here and reports commits back, the hasher the request id (its fairness
 * group), hooks the request id.
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

  /** The request id of the enclosing scope, if any. */
  get requestId(): string | undefined {
    return this.storage.getStore()?.requestId;
  }

  /** The client of the enclosing scope, if any. */
  get client(): ClientInfo | undefined {
    return this.storage.getStore()?.client;
  }

  /** Reports to the enclosing scope that its work may now become durable (see {@link ExecutionScope.onCommit}). */
  commitStarted(): void {
    this.storage.getStore()?.onCommit?.();
  }
}

export const EXECUTION_CONTEXT = Symbol.for('app.ExecutionContext');
