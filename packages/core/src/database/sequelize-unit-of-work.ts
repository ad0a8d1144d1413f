import { AsyncLocalStorage } from 'node:async_hooks';
import { inject, injectable } from 'inversify';
import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { EXECUTION_CONTEXT, type ExecutionContext } from '../context/execution-context';
import { AppError, isAppError } from '../errors/app-error';
import { SEQUELIZE } from '../models/create-models';
import { translateDatabaseError } from './database-errors';
import { sqliteStateOf, type SqliteState } from './sqlite-lock';
import type { UnitOfWork } from './unit-of-work';

/** Statement types that write (or may write, for raw SQL) when run outside a transaction. */
const AUTO_COMMIT_TYPES = new Set(['INSERT', 'UPDATE', 'BULKUPDATE', 'BULKDELETE', 'DELETE', 'UPSERT', 'RAW']);

/** What repositories pass to every Sequelize call: the ambient transaction, if any. */
export interface QueryOptions {
  transaction?: Transaction;
}

/**
 * The error for work whose execution scope was aborted. The HTTP pipeline should abort
 * with `controller.abort(timeoutError(ms))` so the client sees the documented message (docs/reference/errors.md);
 * any other reason becomes a generic `request_timeout`.
 */
export function abortedError(signal: AbortSignal): AppError {
  if (isAppError(signal.reason)) return signal.reason;
  return new AppError('request_timeout', 'Request exceeded the timeout', { cause: signal.reason });
}

/**
 * {@link UnitOfWork} on Sequelize managed transactions. The open transaction lives in this
 * instance's own AsyncLocalStorage (never Sequelize's process-wide CLS), so two cores in one
 * process never see each other's transactions. The execution scope's abort signal is
 * checked before the transaction starts, before every repository statement and before
 * commit; once it has fired the transaction is rolled back and nothing it wrote remains.
 * The moment a commit starts (or a write runs outside a transaction) is reported to the
 * execution scope, so the HTTP layer never answers 504 for work that may have been written
 * (docs/decisions.md, "Timeouts never lie").
 *
 * On SQLite (one writer at a time) transactions are queued in-process and begin
 * IMMEDIATE, so concurrent requests wait their turn instead of failing with SQLITE_BUSY; with
 * `:memory:` (one shared connection) plain statements also wait for an open transaction.
 *
 * @example
 * const uow = new SequelizeUnitOfWork(sequelize, executionContext);
 * await uow.run(async () => {
 *   await users.create(row);     // joins the transaction
 *   await uow.run(() => more()); // nested: joins too
 * });
 */
/** The open transaction and what waits for its commit. */
interface OpenTransaction {
  transaction: Transaction;
  afterCommit: Array<() => void>;
}

@injectable()
export class SequelizeUnitOfWork implements UnitOfWork {
  private readonly storage = new AsyncLocalStorage<OpenTransaction>();
  private readonly sqlite: SqliteState | null;

  constructor(
    @inject(SEQUELIZE) private readonly sequelize: Sequelize,
    @inject(EXECUTION_CONTEXT) private readonly executionContext: ExecutionContext,
  ) {
    this.sqlite = sqliteStateOf(sequelize);
    sequelize.addHook('beforeQuery', (options: { transaction?: unknown; type?: string }) => this.beforeStatement(options));
  }

  /**
   * A write outside any transaction commits by itself: it is refused once the scope is
   * aborted and otherwise reported as a commit, right before it is sent. Statements inside a
   * transaction become durable only at its commit, which {@link run} reports.
   */
  private beforeStatement(options: { transaction?: unknown; type?: string }): void {
    if (options.transaction || !AUTO_COMMIT_TYPES.has(options.type ?? 'RAW')) return;
    this.throwIfAborted();
    this.executionContext.commitStarted();
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    this.throwIfAborted();
    if (this.storage.getStore()) return work();
    const release = await this.acquireSqliteLock();
    try {
      const transaction = await this.begin();
      const open: OpenTransaction = { transaction, afterCommit: [] };
      let result: T;
      try {
        result = await this.storage.run(open, work);
        this.throwIfAborted();
      } catch (error) {
        // The original failure matters more than a failed rollback.
        await transaction.rollback().catch(() => undefined);
        throw translateDatabaseError(error);
      }
      try {
        // No await since the abort check above: a timeout either aborted before the commit
        // (rolled back, 504) or finds it reported here (the real outcome is answered).
        const committing = transaction.commit();
        this.executionContext.commitStarted();
        await committing;
      } catch (error) {
        throw translateDatabaseError(error);
      }
      // Outside the storage: callbacks run after the change is durable, in no transaction.
      for (const callback of open.afterCommit) callback();
      return result;
    } finally {
      release();
    }
  }

  afterCommit(callback: () => void): void {
    const open = this.storage.getStore();
    if (open) open.afterCommit.push(callback);
    else callback();
  }

  /**
   * Runs raw SQL (named `:replacements`) in the open transaction, or on its own outside one.
   * Resolves with the rows of a statement that returns rows (SELECT, WITH, … RETURNING),
   * else with none.
   */
  async query<T>(sql: string, replacements: Record<string, unknown> = {}): Promise<T[]> {
    const returnsRows = /^\s*(select|with)\b/i.test(sql) || /\breturning\b/i.test(sql);
    try {
      const result = await this.execute((options) =>
        this.sequelize.query(sql, { ...options, replacements, type: returnsRows ? QueryTypes.SELECT : QueryTypes.RAW }),
      );
      return returnsRows ? (result as T[]) : [];
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }

  /**
   * Options for the next repository statement: `{ transaction }` inside `run`, `{}` outside.
   *
   * @throws AppError `request_timeout` when the execution scope has been aborted.
   */
  queryOptions(): QueryOptions {
    this.throwIfAborted();
    const open = this.storage.getStore();
    return open ? { transaction: open.transaction } : {};
  }

  /**
   * Runs one repository statement with {@link queryOptions}. Outside a transaction on
   * `sqlite::memory:` it waits for any open transaction first, because that transaction
   * shares the statement's connection and would otherwise swallow (or roll back) it.
   */
  async execute<T>(statement: (options: QueryOptions) => Promise<T>): Promise<T> {
    const options = this.queryOptions();
    if (options.transaction || !this.sqlite?.inMemory) return statement(options);
    const release = await this.acquireSqliteLock();
    try {
      return await statement(options);
    } finally {
      release();
    }
  }

  private async begin(): Promise<Transaction> {
    try {
      // IMMEDIATE takes SQLite's write lock at BEGIN, where the busy timeout applies,
      // instead of failing on the first write of a deferred transaction.
      return await this.sequelize.transaction(this.sqlite ? { type: Transaction.TYPES.IMMEDIATE } : {});
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }

  private async acquireSqliteLock(): Promise<() => void> {
    if (!this.sqlite) return () => undefined;
    const signal = this.executionContext.signal;
    try {
      return await this.sqlite.lock.acquire(signal);
    } catch (error) {
      if (signal?.aborted) throw abortedError(signal);
      throw error;
    }
  }

  private throwIfAborted(): void {
    const signal = this.executionContext.signal;
    if (signal?.aborted) throw abortedError(signal);
  }
}
