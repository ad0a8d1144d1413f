import { PassThrough, Readable } from 'node:stream';
import { expect } from 'chai';
import type { Core } from '../core';
import type { User } from '../domain/types';
import { runCli } from './run-cli';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

function collector() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

const admin: User = {
  id: 1,
  email: 'admin@example.com',
  username: 'admin',
  full_name: null,
  is_active: true,
  is_superuser: true,
  email_verified: true,
  created_at: new Date('2026-01-01T00:00:00Z'),
  updated_at: new Date('2026-01-01T00:00:00Z'),
};

/** A core stand-in recording what the commands asked of it. */
function fakeCore(environment: 'development' | 'production' = 'development') {
  const calls: Array<{ method: string; input: unknown }> = [];
  let closed = 0;
  const core = {
    config: { environment },
    migrator: {
      up: async () => ['0001-create-users'],
      down: async (input: unknown) => (calls.push({ method: 'down', input }), ['0002-create-sessions']),
      status: async () => ({ executed: ['0001-create-users'], pending: ['0002-create-sessions'] }),
    },
    services: {
      users: {
        ensureSuperuser: async (input: unknown) => (calls.push({ method: 'ensureSuperuser', input }), { user: admin, created: false, promoted: true }),
        seedUsers: async (input: { count: number; onProgress?: (done: number) => void }) => {
          calls.push({ method: 'seedUsers', input });
          input.onProgress?.(input.count);
          return input.count;
        },
      },
    },
    maintenance: {
      purgeExpiredSessions: async () => (calls.push({ method: 'purgeExpiredSessions', input: null }), 3),
    },
    close: async () => {
      closed++;
    },
  } as unknown as Core;
  return { core, calls, closedCount: () => closed };
}

async function run(argv: string[], options: { core?: Core; stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Captured> {
  const out = collector();
  const err = collector();
  const code = await runCli(argv, {
    env: options.env ?? {},
    stdin: Readable.from([options.stdin ?? '']),
    stdout: out.stream,
    stderr: err.stream,
    openCore: async () => {
      if (!options.core) throw new Error('this command should not open the core');
      return options.core;
    },
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('runCli', () => {
  describe('usage', () => {
    it('prints help with exit 0', async () => {
      const result = await run(['--help']);
      expect(result.code).to.equal(0);
      expect(result.stdout).to.contain('app-core migrate up');
    });

    it('exits 2 without a command, with an unknown command, flag or action', async () => {
      for (const argv of [[], ['bogus'], ['migrate'], ['migrate', 'sideways'], ['migrate', 'up', '--bad'], ['migrate', 'up', '--to', 'x']]) {
        const result = await run(argv);
        expect(result.code, argv.join(' ')).to.equal(2);
        expect(result.stderr, argv.join(' ')).to.not.equal('');
      }
    });

    it('exits 2 when seed lacks --users or gets a bad number', async () => {
      expect((await run(['seed'])).stderr).to.contain('--users is required');
      expect((await run(['seed', '--users', '-5'])).code).to.equal(2);
      expect((await run(['seed', '--users', '10', '--batch', '0'])).stderr).to.contain('--batch must be an integer from 1 to 10000');
    });
  });

  describe('failures', () => {
    it('exits 1 with the ConfigError message naming the variable', async () => {
      const out = collector();
      const err = collector();
      const code = await runCli(['migrate', 'status'], { env: { DATABASE_POOL_MAX: 'abc' }, stdout: out.stream, stderr: err.stream });
      expect(code).to.equal(1);
      expect(err.text()).to.equal("app-core: Configuration error: DATABASE_POOL_MAX must be a positive integer, got 'abc'\n");
    });

    it('exits 1 with one line when a command fails, and still closes the core', async () => {
      const fake = fakeCore();
      (fake.core.migrator as { up: () => Promise<string[]> }).up = async () => {
        throw new Error('disk full\nstack trace here');
      };
      const result = await run(['migrate', 'up'], { core: fake.core });
      expect(result.code).to.equal(1);
      expect(result.stderr).to.equal('app-core: disk full\n');
      expect(fake.closedCount()).to.equal(1);
    });
  });

  describe('migrate', () => {
    it('prints the status of each migration', async () => {
      const fake = fakeCore();
      const result = await run(['migrate', 'status'], { core: fake.core });
      expect(result.code).to.equal(0);
      expect(result.stdout).to.equal('applied  0001-create-users\npending  0002-create-sessions\n1 applied, 1 pending\n');
    });

    it('passes --all and --to to down', async () => {
      const fake = fakeCore();
      await run(['migrate', 'down', '--all'], { core: fake.core });
      await run(['migrate', 'down', '--to', '0002-create-sessions'], { core: fake.core });
      await run(['migrate', 'down'], { core: fake.core });
      expect(fake.calls.map((c) => c.input)).to.deep.equal([{ to: 0 }, { to: '0002-create-sessions' }, {}]);
    });
  });

  describe('create-superuser', () => {
    it('reads missing answers line by line from piped input', async () => {
      const fake = fakeCore();
      const result = await run(['create-superuser', '--email', 'admin@example.com'], {
        core: fake.core,
        stdin: 'admin\na long password\n',
      });
      expect(result.code).to.equal(0);
      expect(fake.calls[0].input).to.deep.equal({ email: 'admin@example.com', username: 'admin', password: 'a long password' });
      expect(result.stdout).to.contain('Promoted existing user admin <admin@example.com> (id 1)');
      expect(result.stderr).to.contain('Username: ');
    });

    it('exits 2 when the input ends before an answer', async () => {
      const result = await run(['create-superuser', '--email', 'a@example.com'], { core: fakeCore().core, stdin: '' });
      expect(result.code).to.equal(2);
      expect(result.stderr).to.contain('--username is required');
    });
  });

  describe('sessions purge', () => {
    it('purges once and reports how many sessions went', async () => {
      const fake = fakeCore();
      const result = await run(['sessions', 'purge'], { core: fake.core });
      expect(result.code).to.equal(0);
      expect(result.stdout).to.equal('Purged 3 expired or revoked session(s)\n');
      expect(fake.calls.map((c) => c.method)).to.deep.equal(['purgeExpiredSessions']);
      expect(fake.closedCount()).to.equal(1);
    });

    it('exits 2 without an action or with an unknown one', async () => {
      expect((await run(['sessions'], { core: fakeCore().core })).stderr).to.contain('sessions needs purge');
      expect((await run(['sessions', 'shred'], { core: fakeCore().core })).code).to.equal(2);
    });
  });

  describe('--config', () => {
    it('is taken out of the arguments wherever it stands', async () => {
      const fake = fakeCore();
      expect((await run(['migrate', 'status', '--config', 'x.mjs'], { core: fake.core })).code).to.equal(0);
      expect((await run(['--config=x.mjs', 'migrate', 'status'], { core: fake.core })).code).to.equal(0);
    });

    it('exits 2 when the file name is missing', async () => {
      const result = await run(['migrate', 'status', '--config']);
      expect(result.code).to.equal(2);
      expect(result.stderr).to.contain('--config needs a file');
    });
  });

  describe('seed', () => {
    it('hands count, password and batch size to the service and reports the total', async () => {
      const fake = fakeCore();
      const result = await run(['seed', '--users', '1200', '--password', 'seed password', '--batch', '500'], { core: fake.core });
      expect(result.code).to.equal(0);
      expect(fake.calls[0].input).to.include({ count: 1200, password: 'seed password', batchSize: 500 });
      expect(result.stdout).to.match(/^Seeded 1200 users in \d+\.\ds \(\d+\/s\)\n$/);
    });

    it('prints the generated password when none is given', async () => {
      const fake = fakeCore();
      const result = await run(['seed', '--users', '3'], { core: fake.core });
      const password = (fake.calls[0].input as { password: string }).password;
      expect(password.length).to.be.greaterThan(8);
      expect(result.stdout).to.contain(`Their password: ${password}`);
    });

    it('refuses a production database without --force', async () => {
      const fake = fakeCore('production');
      const refused = await run(['seed', '--users', '3'], { core: fake.core });
      expect(refused.code).to.equal(2);
      expect(fake.calls).to.deep.equal([]);
      expect((await run(['seed', '--users', '3', '--force'], { core: fake.core })).code).to.equal(0);
    });
  });
});
