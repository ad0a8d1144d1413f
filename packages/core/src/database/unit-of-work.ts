/**
 * Runs several repository calls in one transaction. Repositories find the open transaction
 * themselves (through the core's own AsyncLocalStorage), so services only wrap the work:
 *
 * @example
 * await uow.run(async () => {
 *   const user = await users.create(row);
 *   await sessions.create({ userId: user.id, ... });
 * }); // commits, or rolls back on any error
 */
export interface UnitOfWork {
  /**
   * Runs `work` inside a transaction and commits when it resolves; rolls back when it
   * throws, or when the request that started it was aborted (timed out) before commit.
   * Nested calls join the outer transaction.
   */
  run<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Runs `callback` once the open transaction has committed (never when it rolls back), or
   * at once when no transaction is open: where events after commit are delivered.
   */
  afterCommit(callback: () => void): void;
}

export const UNIT_OF_WORK = Symbol.for('app.UnitOfWork');
