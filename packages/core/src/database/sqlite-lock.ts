import type { Sequelize } from 'sequelize';

/**
 * A first-come first-served async mutex. SQLite has one writer at a time, so the unit of
 * work serialises its transactions through this lock instead of letting them fail with
 * SQLITE_BUSY, and with `:memory:` (one shared connection) plain statements queue too.
 */
export class AsyncMutex {
  private locked = false;
  private readonly queue: Array<() => void> = [];

  /** Callers queued behind the current holder. */
  get waiting(): number {
    return this.queue.length;
  }

  /** True while someone holds the lock. */
  get held(): boolean {
    return this.locked;
  }

  /**
   * Resolves with a release function once the lock is ours. Rejects with the signal's
   * reason when `signal` aborts while waiting (the waiter leaves the queue).
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.locked) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const index = this.queue.indexOf(grant);
          if (index >= 0) this.queue.splice(index, 1);
          reject(signal?.reason);
        };
        const grant = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        this.queue.push(grant);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    } else {
      this.locked = true;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.handOver();
    };
  }

  private handOver(): void {
    // The lock passes straight to the next waiter, so it never looks free in between.
    const next = this.queue.shift();
    if (next) next();
    else this.locked = false;
  }
}

/** What the SQLite connection factory records about one Sequelize instance. */
export interface SqliteState {
  /** Serialises transactions (and, in memory, every statement). */
  lock: AsyncMutex;
  /** True for `sqlite::memory:`: one connection shared by everyone. */
  inMemory: boolean;
}

const states = new WeakMap<Sequelize, SqliteState>();

/** Records the SQLite state of a Sequelize instance (called by `createSequelize`). */
export function registerSqlite(sequelize: Sequelize, inMemory: boolean): SqliteState {
  const state = { lock: new AsyncMutex(), inMemory };
  states.set(sequelize, state);
  return state;
}

/**
 * The SQLite state of `sequelize`, or null for PostgreSQL. A SQLite instance that was not
 * built by `createSequelize` gets a default state so the unit of work still serialises.
 */
export function sqliteStateOf(sequelize: Sequelize): SqliteState | null {
  if (sequelize.getDialect() !== 'sqlite') return null;
  const known = states.get(sequelize);
  if (known) return known;
  const storage = (sequelize as unknown as { options: { storage?: string } }).options.storage ?? ':memory:';
  return registerSqlite(sequelize, storage === ':memory:');
}
