import { spawn, type ChildProcess } from 'node:child_process';
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

/**
 * Starts `bench/http-server.ts <kind>` with tsx and the `source` condition, resolves once it
 * prints its port. Its stderr is passed through so a crash is visible. `nodeArgs` go to Node
 * before the entry (e.g. `--cpu-prof`, which NODE_OPTIONS refuses).
 */
export function startChildServer(
  kind: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<ChildServer> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', ENTRY, kind], {
    env: { ...process.env, ...env },
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
