import { Worker } from 'node:worker_threads';

/**
 * One job for a hashing thread. `bcrypt-hash` takes a full bcrypt salt (`$2b$12$` and 22
 * characters) so the caller decides the salt; the argon2 jobs run Argon2id.
 */
export type HashJob =
  | { op: 'bcrypt-hash'; password: string; salt: string }
  | { op: 'bcrypt-verify'; password: string; hash: string }
  | { op: 'argon2-hash'; password: string; memoryCost: number; timeCost: number; parallelism: number }
  | { op: 'argon2-verify'; password: string; hash: string };

/** What a job resolves to: the hash for a `*-hash` job, the match for a `*-verify` job. */
export type HashResult = string | boolean;

/** Absolute paths of the CommonJS modules a thread loads, each on its first job. */
export interface HashModules {
  /** bcryptjs, or anything with its `hashSync(password, salt)` and `compareSync(password, hash)`. */
  bcrypt: string;
  /** `@node-rs/argon2`, or anything with its `hashSync` and `verifySync`; absent when not installed. */
  argon2?: string;
}

/** Options of {@link HashWorkerPool}. */
export interface HashWorkerPoolOptions {
  /** Most threads alive at once; threads start on demand, never more than this. */
  size: number;
  modules: HashModules;
}

/** The hashing module threw for this job (e.g. a hash it cannot parse); the thread is fine. */
export class HashJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HashJobError';
  }
}

interface Task {
  id: number;
  job: HashJob;
  resolve: (result: HashResult) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  /** Set by the `error` event, which precedes `exit` when the thread threw. */
  failure: Error | null;
}

type Reply =
  | { id: number; ok: true; result: HashResult }
  | { id: number; ok: false; message: string; unavailable?: boolean };

// Plain JavaScript evaluated as the thread's body. Being a string, it survives tsx, tsup's ESM
// build and its CJS build alike; the module paths are resolved by the main thread, where module
// resolution is known to work, and handed over in workerData. A module is loaded on its first
// job, so a platform without the argon2 binary still hashes bcrypt.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const loaded = {};
function load(name) {
  if (!loaded[name]) {
    try { loaded[name] = { module: require(workerData.modules[name]) }; }
    catch (error) { loaded[name] = { error: name + ' is unavailable: ' + String((error && error.message) || error) }; }
  }
  return loaded[name];
}
const RUN = {
  'bcrypt-hash': (m, job) => m.hashSync(job.password, job.salt),
  'bcrypt-verify': (m, job) => m.compareSync(job.password, job.hash),
  'argon2-hash': (m, job) => m.hashSync(job.password, { algorithm: 2, memoryCost: job.memoryCost, timeCost: job.timeCost, parallelism: job.parallelism }),
  'argon2-verify': (m, job) => m.verifySync(job.hash, job.password),
};
parentPort.on('message', ({ id, job }) => {
  const lib = load(job.op.startsWith('argon2') ? 'argon2' : 'bcrypt');
  if (lib.error) return parentPort.postMessage({ id, ok: false, unavailable: true, message: lib.error });
  try {
    parentPort.postMessage({ id, ok: true, result: RUN[job.op](lib.module, job) });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, message: String((error && error.message) || error) });
  }
});
`;

/**
 * A small pool of worker threads running bcryptjs and argon2, so that hashing never blocks
 * the event loop. Jobs queue (first in, first out) while every thread is busy; a thread that dies is replaced on the next job
 * and the job it held is rejected. Idle threads are unref'd, so a forgotten pool does not keep
 * the process alive, while a thread with a job in flight is ref'd until it answers.
 */
export class HashWorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: HashWorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new RangeError(`HashWorkerPool size must be a positive integer, got ${options.size}`);
    }
  }

  /** Runs one job on a thread; rejects if the pool is closed or the thread dies. */
  run(job: HashJob): Promise<HashResult> {
    if (this.closed) return Promise.reject(new Error('Password hasher is closed'));
    return new Promise<HashResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve, reject });
      this.pump();
    });
  }

  /** Most threads alive at once. */
  get size(): number {
    return this.options.size;
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
      workerData: { modules: this.options.modules },
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
    else task.reject(reply.unavailable ? new Error(reply.message) : new HashJobError(reply.message));
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
