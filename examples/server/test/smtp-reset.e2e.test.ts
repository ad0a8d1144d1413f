import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
// Test-only helper of the core (not part of its public API): smtp-server plus mailparser.
import { startTestSmtpServer, type TestSmtpServer } from '../../../packages/core/src/testing/smtp-test-server';
import { freePort } from '../../../packages/core/src/testing/free-port';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** Polls `check` until it returns a value, failing after `timeoutMs`. */
async function waitUntil<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('example server: password reset over real SMTP (end to end)', function () {
  this.timeout(90_000);
  let smtp: TestSmtpServer;
  let child: ChildProcess;
  let dir: string;
  let base: string;
  let output = '';

  before(async () => {
    smtp = await startTestSmtpServer();
    dir = mkdtempSync(join(tmpdir(), 'smtp-e2e-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}/api/v1`;
    child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', MAIN], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        PORT: String(port),
        DATABASE_URL: `sqlite:${join(dir, 'app.sqlite')}`,
        BCRYPT_ROUNDS: '4',
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Accounts <noreply@example.com>',
        PASSWORD_RESET_URL: 'https://app.example.com/reset?token={token}',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitUntil(`the server on port ${port} (output so far: ${output})`, async () => {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      return res.status === 200 ? true : undefined;
    });
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await smtp?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('mails the reset link through SMTP; its token sets a new password that logs in', async () => {
    const email = 'smtp-e2e@example.com';
    expect((await post('/auth/register', { email, username: 'smtp_e2e', password: 'the first passphrase' })).status).to.equal(201);
    expect((await post('/auth/password-reset/request', { email })).status).to.equal(202);

    const mail = await smtp.waitFor((m) => m.to === email && /reset/i.test(m.subject), 30_000);
    expect(mail.html).to.include('https://app.example.com/reset?token=');
    const token = decodeURIComponent(/https:\/\/app\.example\.com\/reset\?token=([A-Za-z0-9_%-]+)/.exec(mail.text)![1]!);

    const confirm = await post('/auth/password-reset/confirm', { token, new_password: 'the second passphrase' });
    expect(confirm.status, await confirm.clone().text()).to.equal(204);
    expect((await post('/auth/login', { username: 'smtp_e2e', password: 'the first passphrase' })).status).to.equal(401);
    const login = await post('/auth/login', { username: 'smtp_e2e', password: 'the second passphrase' });
    expect(login.status).to.equal(200);
    expect(((await login.json()) as { access_token: string }).access_token).to.be.a('string');
    await smtp.waitFor((m) => m.to === email && /password was changed/i.test(m.subject), 30_000);
  });
});
