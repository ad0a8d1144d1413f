import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import {
  bcryptSalt,
  dummyHash,
  needsPrehash,
  needsRehash,
  parseHash,
  prehash,
  toBcryptSha256,
  withinCostBounds,
  type Argon2Params,
  type HashParams,
} from './hash-formats';
import { HashScheduler } from './hash-scheduler';
import { HashJobError, HashWorkerPool, type HashJob, type HashModules, type HashResult } from './hash-worker-pool';
import type { HashOptions, PasswordHasher } from './password-hasher';

/** Options of {@link WorkerPasswordHasher}. */
export interface WorkerPasswordHasherOptions {
  /** Algorithm of new hashes (default `bcrypt`). Stored hashes of either kind verify regardless. */
  algorithm?: 'bcrypt' | 'argon2id';
  /** bcrypt cost factor, 4–31 (each step doubles the time). */
  bcryptRounds: number;
  /** Argon2id parameters; defaults are OWASP's minimum: 19456 KiB, 2 passes, 1 lane. */
  argon2?: Partial<Argon2Params>;
  /** Hashing threads; defaults to `os.availableParallelism()`. */
  workers?: number;
  /** Refuse work at once (503) when a newcomer would queue longer than this; default 5000. */
  queueMaxWaitMs?: number;
  /** Called as each job leaves the queue for a thread, with the seconds it waited. */
  onQueueWait?: (seconds: number) => void;
  /** The modules the threads load (tests substitute stand-ins); default bcryptjs and @node-rs/argon2. */
  modules?: HashModules;
}

/** Argon2id parameters when none are given: OWASP's minimum recommendation. */
export const DEFAULT_ARGON2: Argon2Params = { memoryKib: 19_456, timeCost: 2, parallelism: 1 };

/** Resolved here, in the main thread, where both the ESM and the CJS build can resolve them. */
function defaultModules(): HashModules {
  const require = createRequire(import.meta.url);
  let argon2: string | undefined;
  try {
    argon2 = require.resolve('@node-rs/argon2');
  } catch {
    argon2 = undefined; // argon2 hashes then fail with "argon2 is unavailable"; bcrypt still works
  }
  return { bcrypt: require.resolve('bcryptjs'), argon2 };
}

function checkParams(params: HashParams): void {
  const { bcryptRounds: rounds, argon2 } = params;
  if (!Number.isInteger(rounds) || rounds < 4 || rounds > 31) {
    throw new RangeError(`bcrypt rounds must be an integer from 4 to 31, got ${rounds}`);
  }
  if (!Number.isInteger(argon2.parallelism) || argon2.parallelism < 1 || argon2.parallelism > 255) {
    throw new RangeError(`argon2 parallelism must be an integer from 1 to 255, got ${argon2.parallelism}`);
  }
  if (!Number.isInteger(argon2.timeCost) || argon2.timeCost < 1) throw new RangeError(`argon2 time cost must be a positive integer, got ${argon2.timeCost}`);
  if (!Number.isInteger(argon2.memoryKib) || argon2.memoryKib < 8 * argon2.parallelism) {
    throw new RangeError(`argon2 memory must be an integer of at least 8 KiB per lane, got ${argon2.memoryKib}`);
  }
}

/**
 * {@link PasswordHasher} on worker threads, behind a fair, cancellable, load-shedding queue
 * ({@link HashScheduler}). New hashes are bcrypt (bcryptjs, `$2b$`) or Argon2id
 * (`@node-rs/argon2`, `$argon2id$`); a password bcrypt would truncate (over 72 UTF-8 bytes,
 * or with a NUL) is pre-hashed with HMAC-SHA-256 into passlib's `$bcrypt-sha256$v=2` format.
 * `verify` accepts `$2a$`, `$2b$`, `$2y$`, `$bcrypt-sha256$v=2` and `$argon2id$`/`$argon2i$`/
 * `$argon2d$` whatever is configured, within cost bounds. Threads start on demand.
 *
 * @example
 * const hasher = new WorkerPasswordHasher({ bcryptRounds: 12 });
 * const hash = await hasher.hash('correct horse', { signal, group: requestId });
 * await hasher.verify('correct horse', hash); // true
 * hasher.needsRehash(hash); // false until the algorithm or its cost changes
 * await hasher.close();
 */
export class WorkerPasswordHasher implements PasswordHasher {
  private readonly params: HashParams;
  private readonly scheduler: HashScheduler<HashJob, HashResult>;
  private readonly dummy: string;

  constructor(options: WorkerPasswordHasherOptions) {
    this.params = {
      algorithm: options.algorithm ?? 'bcrypt',
      bcryptRounds: options.bcryptRounds,
      argon2: { ...DEFAULT_ARGON2, ...options.argon2 },
    };
    checkParams(this.params);
    const pool = new HashWorkerPool({ size: options.workers ?? Math.max(1, availableParallelism()), modules: options.modules ?? defaultModules() });
    this.scheduler = new HashScheduler(pool, { maxWaitMs: options.queueMaxWaitMs ?? 5000, onQueueWait: options.onQueueWait });
    this.dummy = dummyHash(this.params);
  }

  /** A new salted hash with the configured algorithm and parameters. */
  async hash(password: string, options?: HashOptions): Promise<string> {
    if (this.params.algorithm === 'argon2id') {
      const { memoryKib, timeCost, parallelism } = this.params.argon2;
      return (await this.run({ op: 'argon2-hash', password, memoryCost: memoryKib, timeCost, parallelism }, options)) as string;
    }
    const salt = bcryptSalt(this.params.bcryptRounds);
    if (!needsPrehash(password)) return (await this.run({ op: 'bcrypt-hash', password, salt }, options)) as string;
    const key = prehash(password, salt.slice(7));
    return toBcryptSha256((await this.run({ op: 'bcrypt-hash', password: key, salt }, options)) as string);
  }

  /** True when `password` matches; false for a mismatch or a hash that is unknown, corrupt or too costly. */
  async verify(password: string, hash: string, options?: HashOptions): Promise<boolean> {
    const parsed = typeof hash === 'string' ? parseHash(hash) : null;
    // Checking the shape and cost here keeps an absurd stored cost from occupying a thread.
    if (!parsed || !withinCostBounds(parsed, this.params)) return false;
    let job: HashJob;
    if (parsed.kind === 'argon2') job = { op: 'argon2-verify', password, hash };
    else if (parsed.kind === 'bcrypt-sha256') job = { op: 'bcrypt-verify', password: prehash(password, parsed.salt), hash: parsed.bcryptHash };
    else job = { op: 'bcrypt-verify', password, hash };
    try {
      return (await this.run(job, options)) === true;
    } catch (error) {
      if (error instanceof HashJobError) return false;
      throw error;
    }
  }

  /** True unless `hash` is of exactly the configured algorithm and parameters. */
  needsRehash(hash: string): boolean {
    return typeof hash !== 'string' || needsRehash(hash, this.params);
  }

  /** Verifies against a random hash at the configured parameters, then resolves false. */
  async verifyDummy(password: string, options?: HashOptions): Promise<false> {
    await this.verify(password, this.dummy, options);
    return false;
  }

  /** A place in the queue for a later call of `options.group`, or 503; see {@link HashScheduler.reserve}. */
  reserve(options: HashOptions = {}): () => void {
    return this.scheduler.reserve(options.group ?? options.signal);
  }

  /** How long a new call would queue now, in ms (what the 503 decision compares). */
  expectedWaitMs(group?: string): number {
    return this.scheduler.expectedWaitMs(group);
  }

  /** Jobs queued and running now, and whether the queue is standing (see {@link HashScheduler}). */
  get stats(): { queued: number; running: number; groups: number; standing: boolean } {
    return this.scheduler.stats;
  }

  /** Terminates the threads; pending and later calls reject. Idempotent. */
  close(): Promise<void> {
    return this.scheduler.close();
  }

  private run(job: HashJob, options: HashOptions = {}): Promise<HashResult> {
    return this.scheduler.schedule(job, { signal: options.signal, group: options.group });
  }
}
