import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { BcryptJobError, BcryptWorkerPool } from './bcrypt-worker-pool';

describe('BcryptWorkerPool', () => {
  let dir: string;
  let fakeModule: string;

  before(() => {
    // A stand-in for bcryptjs whose behaviour a test can steer through the password.
    dir = mkdtempSync(join(tmpdir(), 'bcrypt-pool-'));
    fakeModule = join(dir, 'fake-bcrypt.cjs');
    writeFileSync(
      fakeModule,
      `exports.hashSync = (password) => {
         if (password === 'crash') process.exit(3);
         if (password === 'throw') throw new Error('bad input');
         if (password.startsWith('sleep:')) { const end = Date.now() + Number(password.split(':')[1]); while (Date.now() < end); }
         return 'hashed:' + password;
       };
       exports.compareSync = (password, hash) => hash === 'hashed:' + password;`,
    );
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('run', () => {
    it('runs jobs on real bcryptjs', async () => {
      const pool = new BcryptWorkerPool({ size: 1, modulePath: createRequire(import.meta.url).resolve('bcryptjs') });
      try {
        const hash = (await pool.run({ op: 'hash', password: 'pw', rounds: 4 })) as string;
        expect(await pool.run({ op: 'verify', password: 'pw', hash })).to.equal(true);
      } finally {
        await pool.close();
      }
    });

    it('starts threads on demand, never more than its size, and queues the rest', async () => {
      const pool = new BcryptWorkerPool({ size: 2, modulePath: fakeModule });
      try {
        expect(pool.threadCount).to.equal(0);
        const jobs = Array.from({ length: 6 }, (_, i) => pool.run({ op: 'hash', password: `sleep:20:${i}`, rounds: 4 }));
        expect(pool.threadCount).to.equal(2);
        const results = await Promise.all(jobs);
        expect(results).to.deep.equal(Array.from({ length: 6 }, (_, i) => `hashed:sleep:20:${i}`));
        expect(pool.threadCount).to.equal(2);
      } finally {
        await pool.close();
      }
    });

    it('rejects a job whose module threw with BcryptJobError and keeps the thread', async () => {
      const pool = new BcryptWorkerPool({ size: 1, modulePath: fakeModule });
      try {
        const error = await pool.run({ op: 'hash', password: 'throw', rounds: 4 }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(BcryptJobError);
        expect((error as Error).message).to.equal('bad input');
        expect(await pool.run({ op: 'hash', password: 'ok', rounds: 4 })).to.equal('hashed:ok');
      } finally {
        await pool.close();
      }
    });

    it('rejects the job of a thread that dies and replaces the thread for queued jobs', async () => {
      const pool = new BcryptWorkerPool({ size: 1, modulePath: fakeModule });
      try {
        const crashed = pool.run({ op: 'hash', password: 'crash', rounds: 4 });
        const queued = pool.run({ op: 'hash', password: 'after', rounds: 4 });
        const error = await crashed.catch((e: unknown) => e);
        expect(error).to.be.instanceOf(Error);
        expect((error as Error).message).to.match(/died/);
        expect(await queued).to.equal('hashed:after');
        expect(pool.threadCount).to.equal(1);
      } finally {
        await pool.close();
      }
    });
  });

  describe('close', () => {
    it('rejects in-flight and queued jobs', async () => {
      const pool = new BcryptWorkerPool({ size: 1, modulePath: fakeModule });
      const inFlight = pool.run({ op: 'hash', password: 'sleep:300', rounds: 4 });
      const queued = pool.run({ op: 'hash', password: 'next', rounds: 4 });
      const settled = Promise.allSettled([inFlight, queued]);
      await pool.close();
      const results = await settled;
      expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
      expect(pool.threadCount).to.equal(0);
    });
  });
});
