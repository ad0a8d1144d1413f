import { expect } from 'chai';
import { resolveConfig } from '../config/options';
import { createPasswordHasher } from './create-password-hasher';

import { silentLogger as silent } from '../logger/logger';

describe('createPasswordHasher', () => {
  it('hashes bcrypt at BCRYPT_ROUNDS by default', async () => {
    const hasher = createPasswordHasher(resolveConfig({ environment: 'test', bcryptRounds: 4, logger: silent }));
    try {
      const hash = await hasher.hash('password-123');
      expect(hash).to.match(/^\$2b\$04\$/);
      expect(hasher.needsRehash(hash)).to.equal(false);
    } finally {
      await hasher.close();
    }
  });

  it('hashes Argon2id with the configured parameters and feeds queue waits to the hook', async () => {
    const waits: number[] = [];
    const config = resolveConfig({ environment: 'test', hashAlgorithm: 'argon2id', argon2MemoryKib: 2048, argon2TimeCost: 1, argon2Parallelism: 2, hashWorkers: 1, logger: silent });
    const hasher = createPasswordHasher(config, { onQueueWait: (seconds) => waits.push(seconds) });
    try {
      const hash = await hasher.hash('password-123');
      expect(hash).to.match(/^\$argon2id\$v=19\$m=2048,t=1,p=2\$/);
      expect(await hasher.verify('password-123', hash)).to.equal(true);
      expect(waits).to.have.length(2);
      expect(waits.every((seconds) => seconds >= 0)).to.equal(true);
    } finally {
      await hasher.close();
    }
  });

  it('applies HASH_QUEUE_MAX_WAIT_MS: with 0, a second request is refused while the only thread is busy', async () => {
    const hasher = createPasswordHasher(resolveConfig({ environment: 'test', bcryptRounds: 4, hashWorkers: 1, hashQueueMaxWaitMs: 0, logger: silent }));
    try {
      await hasher.hash('warm-up-password');
      const busy = hasher.hash('busy-password', { group: 'a' });
      const error = await hasher.hash('refused-password', { group: 'b' }).catch((e: unknown) => e);
      expect((error as { code?: string }).code).to.equal('service_unavailable');
      await busy;
    } finally {
      await hasher.close();
    }
  });
});
