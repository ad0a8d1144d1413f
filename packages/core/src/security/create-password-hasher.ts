import type { CoreConfig } from '../config/options';
import { WorkerPasswordHasher, type WorkerPasswordHasherOptions } from './worker-password-hasher';

/** The hashing options that come from a core's config. */
type HasherConfig = Pick<
  CoreConfig,
  'hashAlgorithm' | 'bcryptRounds' | 'argon2MemoryKib' | 'argon2TimeCost' | 'argon2Parallelism' | 'hashWorkers' | 'hashQueueMaxWaitMs'
>;

/**
 * The core's own hasher, from its options (`hashAlgorithm`, `bcryptRounds`, `argon2*`,
 * `hashWorkers`, `hashQueueMaxWaitMs`; see `docs/reference/configuration.md`). Each call's
 * signal and group come from its caller (the services pass the request's);
 * `hooks.onQueueWait` receives each job's queue wait in seconds (a metrics feed).
 */
export function createPasswordHasher(
  config: HasherConfig,
  hooks: Pick<WorkerPasswordHasherOptions, 'onQueueWait'> = {},
): WorkerPasswordHasher {
  return new WorkerPasswordHasher({
    algorithm: config.hashAlgorithm,
    bcryptRounds: config.bcryptRounds,
    argon2: { memoryKib: config.argon2MemoryKib, timeCost: config.argon2TimeCost, parallelism: config.argon2Parallelism },
    workers: config.hashWorkers,
    queueMaxWaitMs: config.hashQueueMaxWaitMs,
    ...hooks,
  });
}
