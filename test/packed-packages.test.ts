import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { installProject, packWorkspaces, PUBLISHED, REPO_ROOT, type PackedPackage } from './lib/packed-packages';

const run = promisify(execFile);

// Type-checked under --strict with nodenext resolution, once as ESM (.mts), once as CJS (.cts).
const TYPES = `import { ConfigError, createCore, type Core, type Migration } from '@app/core';
import { useTestCore, cacheContract } from '@app/core/testing';
import { createExpressRouter } from '@app/express';
import { createKoaRouter } from '@app/koa';
import { corePlugin } from '@app/fastify';

const migration: Migration = { name: 'host-0001', up: async () => undefined, down: async () => undefined };
export async function build(): Promise<Core> {
  const core = await createCore({ database: { url: 'sqlite::memory:', tablePrefix: 'auth_' }, migrations: [migration] });
  createExpressRouter(core);
  createKoaRouter(core);
  void corePlugin;
  return core;
}
// One declaration of Core for both entry points: the testing helper's core is the main one's.
export const fromTesting = (holder: ReturnType<typeof useTestCore>): Core => holder.core;
export const isConfigError = (error: unknown): boolean => error instanceof ConfigError;
export const contract: typeof cacheContract = cacheContract;
`;

// Loaded for real: every entry point, and the optional-peer error of a missing driver.
const COMMONJS = `const core = require('@app/core');
const testing = require('@app/core/testing');
const { createExpressRouter } = require('@app/express');
const { createKoaRouter } = require('@app/koa');
const { corePlugin } = require('@app/fastify');
core.createCore({ environment: 'test' }).then(
  () => { console.error('createCore opened SQLite without sqlite3'); process.exit(1); },
  (error) => {
    console.log(JSON.stringify({
      entries: [typeof core.createCore, typeof testing.useTestCore, typeof createExpressRouter, typeof createKoaRouter, typeof corePlugin],
      configError: error instanceof core.ConfigError,
      message: error.message,
    }));
  },
);
`;

const ESM = `import { ConfigError, createCore } from '@app/core';
import { useTestCore } from '@app/core/testing';
import { createExpressRouter } from '@app/express';
import { createKoaRouter } from '@app/koa';
import { corePlugin } from '@app/fastify';
const error = await createCore({ database: { url: 'postgres://db/app' } }).catch((e) => e);
const redis = await createCore({ redis: { url: 'redis://cache:6379/0' } }).catch((e) => e);
console.log(JSON.stringify({
  entries: [typeof useTestCore, typeof createExpressRouter, typeof createKoaRouter, typeof corePlugin],
  configError: error instanceof ConfigError && redis instanceof ConfigError,
  messages: [error.message, redis.message],
}));
`;

/** Every file path a package.json points at: main, module, types, bin and each export condition. */
function referencedFiles(manifest: Record<string, unknown>): string[] {
  const found: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === 'string') found.push(value.replace(/^\.\//, ''));
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk([manifest.main, manifest.module, manifest.types, manifest.bin, manifest.exports]);
  return found.filter((file) => file !== 'package.json');
}

describe('the packed packages, installed outside the repository', function () {
  // npm install from the cache, then tsc: about half a minute on an idle machine.
  this.timeout(300_000);
  let work: string;
  let project: string;
  let packed: PackedPackage[];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'app-packed-'));
    packed = await packWorkspaces(join(work, 'tarballs'));
    project = join(work, 'consumer');
    const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const dev = (name: string) => root.devDependencies[name] as string;
    // The frameworks and test tools are the adapters' and the testing entry's peers; no database driver.
    await installProject(project, {
      dependencies: {
        ...Object.fromEntries(packed.map((p) => [p.name, p.file])),
        express: '^5.3.0',
        koa: '^3.3.0',
        '@koa/router': '^15.7.0',
        fastify: '^5.12.8',
        mocha: dev('mocha'),
        chai: dev('chai'),
        supertest: dev('supertest'),
        typescript: dev('typescript'),
        '@types/node': dev('@types/node'),
        '@types/express': '^5.0.6',
        '@types/koa': '^3.0.3',
        '@types/mocha': dev('@types/mocha'),
        '@types/supertest': dev('@types/supertest'),
      },
    });
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it('ships every file its package.json points at, with a README and a LICENSE', () => {
    expect(packed.map((p) => p.name)).to.deep.equal(PUBLISHED.map((name) => `@app/${name}`));
    for (const pkg of packed) {
      const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', pkg.name.slice('@app/'.length), 'package.json'), 'utf8'));
      for (const file of referencedFiles(manifest)) expect(pkg.files, `${pkg.name} ships ${file}`).to.include(file);
      expect(pkg.files, pkg.name).to.include.members(['README.md', 'LICENSE', 'package.json']);
      expect(manifest.engines?.node, `${pkg.name} engines`).to.be.a('string');
      expect(manifest.repository?.directory, `${pkg.name} repository`).to.equal(`packages/${pkg.name.slice('@app/'.length)}`);
      expect(pkg.files.filter((file) => file.startsWith('src/') || file.endsWith('.test.ts')), pkg.name).to.deep.equal([]);
    }
  });

  it('installs no database or Redis driver', () => {
    const installed = (name: string) => {
      try {
        readFileSync(join(project, 'node_modules', name, 'package.json'));
        return true;
      } catch {
        return false;
      }
    };
    expect(['pg', 'sqlite3', 'ioredis'].filter(installed)).to.deep.equal([]);
  });

  it('type-checks under --strict with moduleResolution nodenext, as ESM and as CommonJS', async () => {
    writeFileSync(join(project, 'consumer.mts'), TYPES);
    writeFileSync(join(project, 'consumer.cts'), TYPES);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          types: ['node'],
          noEmit: true,
          // As `tsc --init` sets it. Without it, @types/koa fails on its own dependency's types,
          // and our index.d.ts needs ioredis's types (RedisCache's `client` option).
          skipLibCheck: true,
        },
        files: ['consumer.mts', 'consumer.cts'],
      }),
    );
    const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', project], { cwd: project }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(result, 'tsc output').to.equal('');
  });

  it('loads every entry with require, and names sqlite3 as the package to install', async () => {
    writeFileSync(join(project, 'consumer.cjs'), COMMONJS);
    const { stdout } = await run(process.execPath, ['consumer.cjs'], { cwd: project });
    expect(JSON.parse(stdout)).to.deep.equal({
      entries: ['function', 'function', 'function', 'function', 'function'],
      configError: true,
      message: "DATABASE_URL is a sqlite: URL but the 'sqlite3' package is not installed: npm install sqlite3",
    });
  });

  it('loads every entry with import, and names pg and ioredis when they are needed', async () => {
    writeFileSync(join(project, 'consumer.mjs'), ESM);
    const { stdout } = await run(process.execPath, ['consumer.mjs'], { cwd: project });
    expect(JSON.parse(stdout)).to.deep.equal({
      entries: ['function', 'function', 'function', 'function'],
      configError: true,
      messages: [
        "DATABASE_URL is a postgres:// URL but the 'pg' package is not installed: npm install pg",
        "REDIS_URL is set but the 'ioredis' package is not installed: npm install ioredis",
      ],
    });
  });

  it('installs the app-core bin, which answers --help and names a missing driver in one line', async () => {
    const bin = join(project, 'node_modules', '.bin', 'app-core');
    const help = await run(bin, ['--help'], { cwd: project });
    expect(help.stdout).to.contain('app-core migrate up');
    const status = await run(bin, ['migrate', 'status'], { cwd: project, env: { PATH: process.env.PATH } }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(status.code).to.equal(1);
    expect(status.stderr).to.equal(
      "app-core: Configuration error: DATABASE_URL is a sqlite: URL but the 'sqlite3' package is not installed: npm install sqlite3\n",
    );
  });
});
