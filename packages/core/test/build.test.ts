import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { VERSION } from '../src/version';

const run = promisify(execFile);
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

// Each script builds a core from the BUILT package (no `source` condition), runs a query
// through a service and hashes on the worker pool, so the bundle is checked end to end.
const smoke = (load: string) => `
${load}
const core = await createCore({ environment: 'test', database: { url: 'sqlite::memory:' }, bcryptRounds: 4, migrate: true });
const user = await core.services.users.createUser({ email: 'Dist@Example.com', username: 'dist_user', password: 'a dist passphrase' });
const page = await core.services.users.listUsers({ page: 1, size: 10, sortBy: 'created_at', sortOrder: 'desc' });
await core.close();
console.log(JSON.stringify({ email: user.email, total: page.total, routes: core.http.routes.length }));
`;

async function runNode(args: string[]): Promise<{ email: string; total: number; routes: number }> {
  const { stdout } = await run(process.execPath, args, { cwd: packageDir, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
}

describe('the built @app/core package', () => {
  before(function () {
    if (!existsSync(join(packageDir, 'dist', 'index.js')) || !existsSync(join(packageDir, 'dist', 'index.cjs'))) {
      throw new Error('packages/core/dist is missing: `npm test` builds it first (npm run build)');
    }
  });

  it('loads with import and serves a core', async () => {
    const result = await runNode(['--input-type=module', '-e', smoke("import { createCore } from '@app/core';")]);
    expect(result).to.deep.equal({ email: 'dist@example.com', total: 1, routes: result.routes });
    expect(result.routes).to.be.greaterThan(15);
  });

  it('loads with require and serves a core', async () => {
    const script = `(async () => { ${smoke("const { createCore } = require('@app/core');")} })().catch((e) => { console.error(e); process.exit(1); });`;
    const result = await runNode(['-e', script]);
    expect(result.email).to.equal('dist@example.com');
    expect(result.total).to.equal(1);
  });

  it('ships type declarations for both module systems', () => {
    expect(existsSync(join(packageDir, 'dist', 'index.d.ts'))).to.equal(true);
    expect(existsSync(join(packageDir, 'dist', 'index.d.cts'))).to.equal(true);
  });

  it('holds one copy of the core shared by the main, testing and CLI entries', () => {
    // Without code splitting each entry bundled its own core, so an AppError thrown by a
    // core from @app/core/testing was not an instance of @app/core's AppError.
    const files = (extension: string) =>
      [...readdirSync(join(packageDir, 'dist')), ...readdirSync(join(packageDir, 'dist', 'testing')).map((f) => `testing/${f}`)]
        .filter((file) => file.endsWith(extension))
        .map((file) => readFileSync(join(packageDir, 'dist', file), 'utf8'));
    for (const extension of ['.js', '.cjs']) {
      const bundles = files(extension);
      expect(bundles.filter((code) => /\bAppError = class\b/.test(code)), `AppError in ${extension}`).to.have.length(1);
      expect(bundles.filter((code) => /\basync function createCore\b/.test(code)), `createCore in ${extension}`).to.have.length(1);
    }
  });

  it('reports the version of its package.json', () => {
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).to.equal(pkg.version);
  });
});
