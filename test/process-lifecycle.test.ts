import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT } from './lib/packed-packages';
import { freePort } from '../packages/core/src/testing/free-port';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Resolves when `child` exits; rejects if it is still running after `ms`. */
function exitOf(child: ChildProcess, ms: number): Promise<Exit> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running after ${ms / 1000} s; stderr: ${stderr}`));
    }, ms);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function start(args: string[], env: NodeJS.ProcessEnv, command = process.execPath): ChildProcess {
  return spawn(command, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, SECRET_KEY: 'k'.repeat(40), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const SERVER = ['--import', 'tsx', 'examples/server/src/main.ts'];
const CLI = ['--import', 'tsx', 'packages/core/src/cli/main.ts', 'migrate', 'up'];
const WORKER = ['--import', 'tsx', 'examples/worker/src/main.ts', 'examples/worker/sample-users.csv'];

/** True when something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function waitForHealth(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`/health did not answer within ${ms / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('start-up with an unusable DATABASE_URL', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'app-lifecycle-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: Array<{ program: string; args: string[]; url: () => string; says: RegExp }> = [
    { program: 'the example server', args: SERVER, url: () => `sqlite:${dir}`, says: /is a directory/ },
    { program: 'the example server', args: SERVER, url: () => 'postgres://app:s3cret@127.0.0.1:1/app', says: /connection refused/ },
    { program: 'app-core migrate up', args: CLI, url: () => `sqlite:${dir}`, says: /is a directory/ },
    { program: 'the worker', args: WORKER, url: () => 'postgres://app:s3cret@127.0.0.1:1/app', says: /connection refused/ },
  ];
  if (process.env.TEST_DATABASE_URL) {
    const missing = new URL(process.env.TEST_DATABASE_URL);
    missing.pathname = '/app_lifecycle_missing';
    cases.push({ program: 'the example server', args: SERVER, url: () => missing.toString(), says: /"app_lifecycle_missing" does not exist/ });
  }

  for (const { program, args, url, says } of cases) {
    it(`stops ${program} with one stderr line naming DATABASE_URL and exit 1 (${says.source})`, async () => {
      const result = await exitOf(start(args, { DATABASE_URL: url(), PORT: '0' }), 30_000);
      expect(result.code, result.stderr).to.equal(1);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines, result.stderr).to.have.length(1);
      expect(lines[0]).to.contain('DATABASE_URL').and.match(says);
      expect(result.stderr).to.not.contain('s3cret');
    });
  }
});

describe('npm start', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'app-npm-start-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stops the server on SIGTERM to npm: the port closes and npm exits 0', async () => {
    const port = await freePort();
    const npm = start(['start'], { DATABASE_URL: `sqlite:${join(dir, 'app.sqlite')}`, PORT: String(port) }, 'npm');
    const exited = exitOf(npm, 110_000);
    await waitForHealth(port, 60_000);
    npm.kill('SIGTERM');
    const result = await exited;
    expect({ code: result.code, signal: result.signal }, result.stdout + result.stderr).to.deep.equal({ code: 0, signal: null });
    expect(result.stdout).to.contain('"msg":"stopped"');
    expect(await listening(port), 'something still listens on the port').to.equal(false);
  });
});
