import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The published packages, in dependency order. */
export const PUBLISHED = ['core', 'express', 'koa', 'fastify'] as const;

/** What `npm pack` reports of one tarball. */
export interface PackedPackage {
  name: string;
  /** Absolute path of the `.tgz`. */
  file: string;
  /** Compressed size in bytes. */
  size: number;
  unpackedSize: number;
  entryCount: number;
  /** Paths inside the tarball, relative to the package root. */
  files: string[];
}

/**
 * Packs each published workspace with `npm pack` into `destination` (the packages must be
 * built: `npm pack` ships `dist` as it is on disk).
 */
export async function packWorkspaces(destination: string): Promise<PackedPackage[]> {
  mkdirSync(destination, { recursive: true });
  const packed: PackedPackage[] = [];
  for (const name of PUBLISHED) {
    const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], {
      cwd: join(REPO_ROOT, 'packages', name),
      maxBuffer: 16 * 1024 * 1024,
    });
    const [report] = JSON.parse(stdout) as Array<{
      name: string;
      filename: string;
      size: number;
      unpackedSize: number;
      entryCount: number;
      files: Array<{ path: string }>;
    }>;
    packed.push({
      name: report!.name,
      file: join(destination, report!.filename),
      size: report!.size,
      unpackedSize: report!.unpackedSize,
      entryCount: report!.entryCount,
      files: report!.files.map((file) => file.path),
    });
  }
  return packed;
}

/** Options of {@link installProject}. */
export interface InstallOptions {
  /** `package.json` fields of the project besides its dependencies (e.g. `type`). */
  manifest?: Record<string, unknown>;
  /** name → spec (a tarball path, a version range). */
  dependencies: Record<string, string>;
  /** Packages allowed to run install scripts (npm's `allowScripts`). */
  allowScripts?: string[];
}

/**
 * Writes a fresh project in `dir` and runs `npm install` there, from the npm cache where it
 * can (`--prefer-offline`), the registry otherwise. `dir` must lie outside this repository so
 * that nothing resolves through the monorepo's own `node_modules`.
 */
export async function installProject(dir: string, options: InstallOptions): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const manifest = {
    name: 'packed-consumer',
    version: '1.0.0',
    private: true,
    ...options.manifest,
    dependencies: options.dependencies,
    ...(options.allowScripts ? { allowScripts: Object.fromEntries(options.allowScripts.map((name) => [name, true])) } : {}),
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 10 * 60_000,
  });
}
