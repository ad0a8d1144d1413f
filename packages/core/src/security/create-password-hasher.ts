import type { CoreConfig } from '../config/options';
import type { HashOptions } from './password-hasher';
import { WorkerPasswordHasher } from './worker-password-hasher';

/**
 * The core's own hasher, from its options (`hashAlgorithm`, `bcryptRounds`, `argon2*`,
 * `hashWorkers`, `hashQueueMaxWaitMs`; see `docs/reference/configuration.md`). `scope` gives
 * the signal and group of calls that pass none, e.g. the current request's.
 */
export function createPasswordHasher(
  config: Pick<CoreConfig, 'hashAlgorithm' | 'bcryptRounds' | 'argon2MemoryKib' | 'argon2TimeCost' | 'argon2Parallelism' | 'hashWorkers' | 'hashQueueMaxWaitMs'>,
  scope?: () => HashOptions | undefined,
): WorkerPasswordHasher {
  return new WorkerPasswordHasher({
    algorithm: config.hashAlgorithm,
    bcryptRounds: config.bcryptRounds,
    argon2: { memoryKib: config.argon2MemoryKib, timeCost: config.argon2TimeCost, parallelism: config.argon2Parallelism },
    workers: config.hashWorkers,
    queueMaxWaitMs: config.hashQueueMaxWaitMs,
    scope,
  });
}
