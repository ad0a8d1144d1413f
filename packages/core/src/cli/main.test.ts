import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { MIGRATIONS } from '../database/migrations/migration-list';

/** The core's migrations plus the one the config module below brings. */
const WITH_HOST = MIGRATIONS.length + 1;

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
// Resolved here, so that children started in another working directory still find tsx.
const TSX = import.meta.resolve('tsx');
// tsx reads the tsconfig of the working directory (decorators): name the repository's.
const TSCONFIG = fileURLToPath(new URL('../../../../tsconfig.json', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real bin from its TypeScript source, the way `npx app-core` would. */
function cli(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
      env: { PATH: process.env.PATH, TSX_TSCONFIG_PATH: TSCONFIG, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('app-core CLI (main.ts)', function () {
  this.timeout(60_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'app-core-cli-'));
    env = { DATABASE_URL: `sqlite:${join(dir, 'nested', 'app.sqlite')}`, BCRYPT_ROUNDS: '4', NODE_ENV: 'test' };
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('usage', () => {
    it('exits 2 with a message for an unknown command', async () => {
      const run = await cli(['frobnicate'], env);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain("unknown command 'frobnicate'");
    });

    it('exits 1 naming the variable when configuration is bad', async () => {
      const run = await cli(['migrate', 'status'], { ...env, BCRYPT_ROUNDS: 'many' });
      expect(run.code).to.equal(1);
      expect(run.stderr.trim()).to.equal("app-core: Configuration error: BCRYPT_ROUNDS must be a positive integer, got 'many'");
    });
  });

  describe('against a fresh SQLite database', () => {
    it('migrate status lists every migration as pending and creates the directory', async () => {
      const run = await cli(['migrate', 'status'], env);
      expect(run.stderr).to.equal('');
      expect(run.code).to.equal(0);
      expect(run.stdout).to.match(/^pending {2}0001-/m);
      expect(run.stdout).to.match(/0 applied, [1-9]\d* pending\n$/);
    });

    it('migrate up applies them and a second up has nothing to do', async () => {
      const first = await cli(['migrate', 'up'], env);
      expect(first.code).to.equal(0);
      expect(first.stdout).to.match(/^Applied \d+ migration\(s\): 0001-/);
      const second = await cli(['migrate', 'up'], env);
      expect(second.stdout).to.equal('No pending migrations\n');
      const status = await cli(['migrate', 'status'], env);
      expect(status.stdout).to.match(/ applied, 0 pending\n$/);
    });

    it('create-superuser creates, then reports an existing superuser unchanged', async () => {
      const args = ['create-superuser', '--email', 'Root@Example.com', '--username', 'root', '--password', 'a long password'];
      const created = await cli(args, env);
      expect(created.stderr).to.equal('');
      expect(created.code).to.equal(0);
      expect(created.stdout).to.match(/^Created superuser root <root@example\.com> \(id \d+\)\n$/);
      const again = await cli(args, env);
      expect(again.stdout).to.contain('already an active superuser');
    });

    it('create-superuser exits 1 with the validation details for a bad email', async () => {
      const run = await cli(['create-superuser', '--email', 'not-an-email', '--username', 'other', '--password', 'a long password'], env);
      expect(run.code).to.equal(1);
      expect(run.stderr.trim().split('\n')).to.have.length(1);
      expect(run.stderr).to.contain('email');
    });

    it('seed --users 50 inserts fifty users', async () => {
      const run = await cli(['seed', '--users', '50', '--password', 'seed password', '--batch', '20'], env);
      expect(run.stderr).to.not.contain('app-core:');
      expect(run.code).to.equal(0);
      expect(run.stdout).to.match(/^Seeded 50 users in /);
    });

    it('sessions purge runs against the database and reports the count', async () => {
      const run = await cli(['sessions', 'purge'], env);
      expect(run.stderr).to.equal('');
      expect(run.stdout).to.equal('Purged 0 expired or revoked session(s)\n');
    });

    it('users import takes a CSV with bcrypt hashes and plain passwords, naming each refused line', async () => {
      const hash = bcrypt.hashSync('imported secret 1', 4).replace(/^\$2b\$/, '$2y$');
      const file = join(dir, 'users.csv');
      writeFileSync(
        file,
        'email,username,password,password_hash,full_name,email_verified\n' +
          `imp1@example.com,imp_1,,${hash},"Imported, One",true\n` +
          'imp2@example.com,imp_2,a plain passphrase,,,\n' +
          'not-an-email,imp_3,a plain passphrase,,,\n',
      );
      const run = await cli(['users', 'import', file, '--batch', '2'], env);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/^Imported 2 of 3 rows from /);
      expect(run.stdout).to.match(/line 4: email: must be a valid email address/);
      const jsonl = join(dir, 'users.jsonl');
      writeFileSync(jsonl, '{"email":"imp1@example.com","username":"imp_9","password":"another passphrase"}\nnot json\n');
      const again = await cli(['users', 'import', jsonl], env);
      expect(again.code, again.stderr).to.equal(0);
      expect(again.stdout).to.contain('Imported 0 of 2 rows');
      expect(again.stdout).to.match(/line 1: email: Email already registered/);
      expect(again.stdout).to.match(/line 2: /);
    });

    it('users import exits 2 without a file', async () => {
      expect((await cli(['users', 'import'], env)).code).to.equal(2);
    });

    it('migrate down reverts the last migration, and down --all the rest', async () => {
      const one = await cli(['migrate', 'down'], env);
      expect(one.code).to.equal(0);
      expect(one.stdout).to.match(/^Reverted 1 migration\(s\): /);
      const all = await cli(['migrate', 'down', '--all'], env);
      expect(all.code).to.equal(0);
      const status = await cli(['migrate', 'status'], env);
      expect(status.stdout).to.match(/^0 applied, \d+ pending\n$/m);
      expect(status.stdout).to.not.contain('applied  ');
    });
  });
});

describe('app-core CLI with a config module', function () {
  this.timeout(60_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  // A host's config module: its own table prefix and one migration of its own.
  const CONFIG = `export default {
  database: { tablePrefix: 'auth_' },
  migrations: [{
    name: 'host-0001-create-notes',
    up: ({ queryInterface, transaction }) => queryInterface.sequelize.query('CREATE TABLE notes (id INTEGER PRIMARY KEY)', { transaction }),
    down: ({ queryInterface, transaction }) => queryInterface.sequelize.query('DROP TABLE notes', { transaction }),
  }],
};
`;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'app-core-config-'));
    env = { DATABASE_URL: `sqlite:${join(dir, 'app.sqlite')}`, BCRYPT_ROUNDS: '4', NODE_ENV: 'test' };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds app-core.config.mjs in the working directory and runs the host migrations after the core ones', async () => {
    writeFileSync(join(dir, 'app-core.config.mjs'), CONFIG);
    const run = await cli(['migrate', 'up'], env, dir);
    expect(run.stderr).to.equal('');
    expect(run.stdout).to.match(new RegExp(`^Applied ${WITH_HOST} migration\\(s\\): 0001-create-users, .*, host-0001-create-notes\\n$`));
    const status = await cli(['migrate', 'status'], env, dir);
    expect(status.stdout).to.contain('applied  host-0001-create-notes');
    const tables = await cli(['migrate', 'status'], { ...env, DATABASE_TABLE_PREFIX: '' }, tmpdir());
    // Without the module (another directory) the unprefixed tables are not there: nothing applied.
    expect(tables.stdout).to.match(/^0 applied/m);
  });

  it('takes --config FILE from anywhere on the command line', async () => {
    const other = join(dir, 'elsewhere.mjs');
    writeFileSync(other, CONFIG.replace('auth_', 'other_'));
    const run = await cli(['migrate', 'status', '--config', other], env, tmpdir());
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(new RegExp(`^0 applied, ${WITH_HOST} pending\\n$`, 'm'));
  });

  it('exits 1 with one line when the module cannot be loaded', async () => {
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, 'export default {');
    const run = await cli(['--config', broken, 'migrate', 'status'], env, dir);
    expect(run.code).to.equal(1);
    expect(run.stderr.trim().split('\n')).to.have.length(1);
    expect(run.stderr).to.contain(`cannot load ${broken}`);
  });
});
