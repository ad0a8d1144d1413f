import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A bench server running in its own Node process. */
export interface ChildServer {
  kind: string;
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL('../http-server.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Without the repository's `paths`, `@app/*` resolve through node_modules to the packages'
// built `dist`: what a host installs (tsup's output), not tsx's transpiled sources.
const BUILT = fileURLToPath(new URL('../tsconfig.built.json', import.meta.url));

/** The newest modification time under `dir`, in ms. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

let builtChecked = false;

/** Refuses to measure a `dist` older than its sources (the numbers would be of other code); once per run. */
function checkBuilt(): void {
  if (builtChecked) return;
  for (const name of ['core', 'express', 'koa', 'fastify']) {
    const pkg = join(ROOT, 'packages', name);
    let built = 0;
    try {
      built = newest(join(pkg, 'dist'));
    } catch {
      // no dist at all
    }
    if (built < newest(join(pkg, 'src'))) throw new Error(`packages/${name}/dist is missing or older than its sources: run npm run build (or set BENCH_SOURCE=1)`);
  }
  builtChecked = true;
}

/**
 * Starts `bench/http-server.ts <kind>`, resolves once it prints its port. The packages are
 * the built ones (`npm run build` first; a stale `dist` is refused), as a host runs them;
 * with BENCH_SOURCE=1 their sources through tsx instead, whose `__name` helper and
 * transpiled decorators cost more per request. Its stderr is passed through so a crash is
 * visible. `nodeArgs` go to Node before the entry (e.g. `--cpu-prof`, which NODE_OPTIONS refuses).
 */
export function startChildServer(
  kind: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<ChildServer> {
  const source = process.env.BENCH_SOURCE === '1';
  if (!source) checkBuilt();
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', ENTRY, kind], {
    env: { ...process.env, ...(source ? {} : { TSX_TSCONFIG_PATH: BUILT }), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const fail = (code: number | null) => reject(new Error(`${kind} server exited with code ${code} before it was ready`));
    child.once('exit', fail);
    lines.on('line', (line) => {
      if (!line.startsWith('{"port"')) return;
      child.off('exit', fail);
      const { port } = JSON.parse(line) as { port: number };
      resolve({
        kind,
        url: `http://127.0.0.1:${port}`,
        process: child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
