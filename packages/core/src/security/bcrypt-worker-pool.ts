import { Worker } from 'node:worker_threads';

/** One job for a hashing thread. */
export type BcryptJob = { op: 'hash'; password: string; rounds: number } | { op: 'verify'; password: string; hash: string };

/** What a job resolves to: the hash for `hash`, the match for `verify`. */
export type BcryptResult = string | boolean;

/** Options of {@link BcryptWorkerPool}. */
export interface BcryptWorkerPoolOptions {
  /** Most threads alive at once; threads start on demand, never more than this. */
  size: number;
  /** Absolute path of a CommonJS module with bcryptjs' `hashSync` and `compareSync`. */
  modulePath: string;
}

/** bcryptjs itself threw for this job (e.g. a hash it cannot parse); the thread is fine. */
export class BcryptJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BcryptJobError';
  }
}

interface Task {
  id: number;
  job: BcryptJob;
  resolve: (result: BcryptResult) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  /** Set by the `error` event, which precedes `exit` when the thread threw. */
  failure: Error | null;
}

type Reply = { id: number; ok: true; result: BcryptResult } | { id: number; ok: false; message: string };

// Plain JavaScript evaluated as the thread's body. Being a string, it survives tsx, tsup's ESM
// build and its CJS build alike; the bcryptjs path is resolved by the main thread, where module
// resolution is known to work, and handed over in workerData.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.modulePath);
parentPort.on('message', (task) => {
  try {
    const result = task.job.op === 'hash'
      ? bcrypt.hashSync(task.job.password, task.job.rounds)
      : bcrypt.compareSync(task.job.password, task.job.hash);
    parentPort.postMessage({ id: task.id, ok: true, result });
  } catch (error) {
    parentPort.postMessage({ id: task.id, ok: false, message: String((error && error.message) || error) });
  }
});
`;

/**
 * A small pool of worker threads running bcryptjs, so that hashing never blocks the event
 * loop. Jobs queue while every thread is busy; a thread that dies is replaced on the next job
 * and the job it held is rejected. Idle threads are unref'd, so a forgotten pool does not keep
 * the process alive, while a thread with a job in flight is ref'd until it answers.
 */
export class BcryptWorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: BcryptWorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new RangeError(`BcryptWorkerPool size must be a positive integer, got ${options.size}`);
    }
  }

  /** Runs one job on a thread; rejects if the pool is closed or the thread dies. */
  run(job: BcryptJob): Promise<BcryptResult> {
    if (this.closed) return Promise.reject(new Error('Password hasher is closed'));
    return new Promise<BcryptResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve, reject });
      this.pump();
    });
  }

  /** Number of threads currently alive (for metrics and tests). */
  get threadCount(): number {
    return this.slots.size;
  }

  /** Terminates every thread and rejects queued and in-flight jobs. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedError = () => new Error('Password hasher is closed');
    for (const task of this.queue.splice(0)) task.reject(closedError());
    const slots = [...this.slots];
    this.slots.clear();
    for (const slot of slots) {
      slot.task?.reject(closedError());
      slot.task = null;
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.closed) {
      const slot = this.idleSlot() ?? this.spawn();
      if (!slot) return;
      const task = this.queue.shift() as Task;
      slot.task = task;
      slot.worker.ref();
      slot.worker.postMessage({ id: task.id, job: task.job });
    }
  }

  private idleSlot(): Slot | undefined {
    for (const slot of this.slots) if (!slot.task) return slot;
    return undefined;
  }

  private spawn(): Slot | undefined {
    if (this.slots.size >= this.options.size) return undefined;
    // execArgv: [] so the eval'd body is always CommonJS, even when the parent runs with
    // `--input-type=module` (inherited flags would make `require` undefined in the thread).
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: { modulePath: this.options.modulePath },
    });
    const slot: Slot = { worker, task: null, failure: null };
    this.slots.add(slot);
    worker.on('message', (reply: Reply) => this.settle(slot, reply));
    worker.on('error', (error) => {
      slot.failure = error;
    });
    worker.on('exit', (code) => this.onExit(slot, code));
    return slot;
  }

  private settle(slot: Slot, reply: Reply): void {
    const task = slot.task;
    if (!task || task.id !== reply.id) return;
    slot.task = null;
    if (reply.ok) task.resolve(reply.result);
    else task.reject(new BcryptJobError(reply.message));
    if (this.queue.length > 0) this.pump();
    // Idle: let the process exit even if nobody calls close().
    if (!slot.task) slot.worker.unref();
  }

  private onExit(slot: Slot, code: number): void {
    if (!this.slots.delete(slot)) return; // close() already dealt with it
    const task = slot.task;
    slot.task = null;
    if (task) {
      const reason = slot.failure?.message ?? `exit code ${code}`;
      task.reject(new Error(`Password hashing thread died (${reason})`));
    }
    // A replacement starts on demand for whatever is still queued.
    this.pump();
  }
}
