import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { HashJobError, HashWorkerPool, type HashModules } from './hash-worker-pool';

const resolve = createRequire(import.meta.url).resolve;
const realModules: HashModules = { bcrypt: resolve('bcryptjs'), argon2: resolve('@node-rs/argon2') };

describe('HashWorkerPool', () => {
  let dir: string;
  let fake: HashModules;

  before(() => {
    // A stand-in for bcryptjs whose behaviour a test can steer through the password.
    dir = mkdtempSync(join(tmpdir(), 'hash-pool-'));
    fake = { bcrypt: join(dir, 'fake-bcrypt.cjs'), argon2: join(dir, 'missing-argon2.cjs') };
    writeFileSync(
      fake.bcrypt,
      `exports.hashSync = (password, salt) => {
         if (password === 'crash') process.exit(3);
         if (password === 'throw') throw new Error('bad input');
         if (password.startsWith('sleep:')) { const end = Date.now() + Number(password.split(':')[1]); while (Date.now() < end); }
         return salt + ':' + password;
       };
       exports.compareSync = (password, hash) => hash.endsWith(':' + password);`,
    );
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('run', () => {
    it('runs bcrypt and argon2 jobs on the real modules', async () => {
      const pool = new HashWorkerPool({ size: 1, modules: realModules });
      try {
        const bcrypt = (await pool.run({ op: 'bcrypt-hash', password: 'pw', salt: '$2b$04$abcdefghijklmnopqrstuu' })) as string;
        expect(bcrypt).to.match(/^\$2b\$04\$abcdefghijklmnopqrstuu[./A-Za-z0-9]{31}$/);
        expect(await pool.run({ op: 'bcrypt-verify', password: 'pw', hash: bcrypt })).to.equal(true);
        const argon = (await pool.run({ op: 'argon2-hash', password: 'pw', memoryCost: 1024, timeCost: 1, parallelism: 1 })) as string;
        expect(argon).to.match(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
        expect(await pool.run({ op: 'argon2-verify', password: 'pw', hash: argon })).to.equal(true);
        expect(await pool.run({ op: 'argon2-verify', password: 'other', hash: argon })).to.equal(false);
      } finally {
        await pool.close();
      }
    });

    it('starts threads on demand, never more than its size, and queues the rest', async () => {
      const pool = new HashWorkerPool({ size: 2, modules: fake });
      try {
        expect(pool.threadCount).to.equal(0);
        const jobs = Array.from({ length: 6 }, (_, i) => pool.run({ op: 'bcrypt-hash', password: `sleep:20:${i}`, salt: 's' }));
        expect(pool.threadCount).to.equal(2);
        const results = await Promise.all(jobs);
        expect(results).to.deep.equal(Array.from({ length: 6 }, (_, i) => `s:sleep:20:${i}`));
        expect(pool.threadCount).to.equal(2);
      } finally {
        await pool.close();
      }
    });

    it('rejects a job whose module threw with HashJobError and keeps the thread', async () => {
      const pool = new HashWorkerPool({ size: 1, modules: fake });
      try {
        const error = await pool.run({ op: 'bcrypt-hash', password: 'throw', salt: 's' }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(HashJobError);
        expect((error as Error).message).to.equal('bad input');
        expect(await pool.run({ op: 'bcrypt-hash', password: 'ok', salt: 's' })).to.equal('s:ok');
      } finally {
        await pool.close();
      }
    });

    it('rejects a job whose module cannot load with a plain Error, and still runs the other module', async () => {
      const pool = new HashWorkerPool({ size: 1, modules: fake });
      try {
        const error = await pool.run({ op: 'argon2-verify', password: 'pw', hash: '$argon2id$x' }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(Error).and.not.be.instanceOf(HashJobError);
        expect((error as Error).message).to.match(/^argon2 is unavailable/);
        expect(await pool.run({ op: 'bcrypt-verify', password: 'ok', hash: 's:ok' })).to.equal(true);
      } finally {
        await pool.close();
      }
    });

    it('rejects the job of a thread that dies and replaces the thread for queued jobs', async () => {
      const pool = new HashWorkerPool({ size: 1, modules: fake });
      try {
        const crashed = pool.run({ op: 'bcrypt-hash', password: 'crash', salt: 's' });
        const queued = pool.run({ op: 'bcrypt-hash', password: 'after', salt: 's' });
        const error = await crashed.catch((e: unknown) => e);
        expect(error).to.be.instanceOf(Error);
        expect((error as Error).message).to.match(/died/);
        expect(await queued).to.equal('s:after');
        expect(pool.threadCount).to.equal(1);
      } finally {
        await pool.close();
      }
    });
  });

  describe('close', () => {
    it('rejects in-flight and queued jobs', async () => {
      const pool = new HashWorkerPool({ size: 1, modules: fake });
      const inFlight = pool.run({ op: 'bcrypt-hash', password: 'sleep:300', salt: 's' });
      const queued = pool.run({ op: 'bcrypt-hash', password: 'next', salt: 's' });
      const settled = Promise.allSettled([inFlight, queued]);
      await pool.close();
      const results = await settled;
      expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
      expect(pool.threadCount).to.equal(0);
    });
  });
});
