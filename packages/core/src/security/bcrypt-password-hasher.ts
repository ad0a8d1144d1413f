import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { BcryptJobError, BcryptWorkerPool } from './bcrypt-worker-pool';
import type { PasswordHasher } from './password-hasher';

/** Options of {@link BcryptPasswordHasher}. */
export interface BcryptPasswordHasherOptions {
  /** bcrypt cost factor, 4–31 (each step doubles the time). */
  rounds: number;
  /** Hashing threads; defaults to `os.availableParallelism()`. */
  workers?: number;
}

// `$2a$`/`$2b$`/`$2y$`, a two-digit cost, then 22 salt and 31 hash characters.
const BCRYPT_HASH = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;

/** Resolved here, in the main thread, where both the ESM and the CJS build can resolve it. */
function bcryptjsPath(): string {
  return createRequire(import.meta.url).resolve('bcryptjs');
}

/**
 * {@link PasswordHasher} on bcryptjs, run on a pool of worker threads so that a login or a
 * bulk create never stalls other requests. Threads start on demand, up to `workers`.
 *
 * @example
 * const hasher = new BcryptPasswordHasher({ rounds: 12 });
 * const hash = await hasher.hash('correct horse');
 * await hasher.verify('correct horse', hash); // true
 * await hasher.close();
 */
export class BcryptPasswordHasher implements PasswordHasher {
  private readonly rounds: number;
  private readonly pool: BcryptWorkerPool;
  private dummyHash?: Promise<string>;

  constructor(options: BcryptPasswordHasherOptions) {
    if (!Number.isInteger(options.rounds) || options.rounds < 4 || options.rounds > 31) {
      throw new RangeError(`bcrypt rounds must be an integer from 4 to 31, got ${options.rounds}`);
    }
    this.rounds = options.rounds;
    this.pool = new BcryptWorkerPool({
      size: options.workers ?? Math.max(1, availableParallelism()),
      modulePath: bcryptjsPath(),
    });
  }

  /** A new salted hash at the configured cost. */
  async hash(password: string): Promise<string> {
    return (await this.pool.run({ op: 'hash', password, rounds: this.rounds })) as string;
  }

  /** True when `password` matches; false for a mismatch or a hash that is not bcrypt. */
  async verify(password: string, hash: string): Promise<boolean> {
    const match = BCRYPT_HASH.exec(hash);
    // A corrupt or foreign hash is a failed login, not a 500. Checking the shape here also
    // keeps a stored hash with an absurd cost from occupying a thread for hours.
    if (!match || Number(match[1]) < 4 || Number(match[1]) > 31) return false;
    try {
      return (await this.pool.run({ op: 'verify', password, hash })) === true;
    } catch (error) {
      if (error instanceof BcryptJobError) return false;
      throw error;
    }
  }

  /** Verifies against a hash made at the same cost, then resolves false. */
  async verifyDummy(password: string): Promise<false> {
    await this.verify(password, await this.getDummyHash());
    return false;
  }

  /**
   * The hash {@link verifyDummy} compares against: a random secret hashed once, lazily, at the
   * configured cost, so the dummy check costs exactly what a real one costs.
   */
  getDummyHash(): Promise<string> {
    this.dummyHash ??= this.hash(randomBytes(24).toString('base64url')).catch((error: unknown) => {
      this.dummyHash = undefined; // let the next call retry
      throw error;
    });
    return this.dummyHash;
  }

  /** Terminates the threads; pending and later calls reject. Idempotent. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
