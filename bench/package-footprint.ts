/**
 * Packed size of each published package and the install footprint of a fresh project that
 * uses them, measured for real: `npm pack` of the built workspaces, then `npm install` of the
 * tarballs into temporary projects outside the repository (from the npm cache where it can).
 *
 *   npm run build && npm run bench:footprint
 *
 * BENCH_FOOTPRINT_ONLY=<text> keeps the install scenarios whose name contains it.
 * Prints Markdown tables for docs/PERFORMANCE.md. Sizes are bytes on disk (`du`), so they
 * include sqlite3's native build when a scenario installs it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installProject, packWorkspaces, type PackedPackage } from '../test/lib/packed-packages';
import { printTable } from './lib/table';

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

interface Scenario {
  name: string;
  dependencies: (tarballs: Record<string, string>) => Record<string, string>;
}

const SCENARIOS: Scenario[] = [
  { name: '@app/core + sqlite3', dependencies: (t) => ({ '@app/core': t['@app/core']!, sqlite3: '^6.0.1' }) },
  { name: '@app/core + pg', dependencies: (t) => ({ '@app/core': t['@app/core']!, pg: '^8.23.1' }) },
  {
    name: '@app/core + @app/express + express + sqlite3',
    dependencies: (t) => ({ '@app/core': t['@app/core']!, '@app/express': t['@app/express']!, express: '^5.3.0', sqlite3: '^6.0.1' }),
  },
];

function footprint(dir: string): { bytes: number; packages: number } {
  const du = execFileSync('du', ['-sk', join(dir, 'node_modules')], { encoding: 'utf8' });
  const listed = execFileSync('npm', ['ls', '--all', '--parseable'], { cwd: dir, encoding: 'utf8' }).trim().split('\n');
  // The first line is the project itself.
  return { bytes: Number(du.split('\t')[0]) * 1024, packages: listed.length - 1 };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'app-footprint-'));
  try {
    const packed: PackedPackage[] = await packWorkspaces(join(work, 'tarballs'));
    printTable(
      ['package', 'tarball', 'unpacked', 'files'],
      packed.map((p) => [p.name, kib(p.size), kib(p.unpackedSize), String(p.entryCount)]),
    );
    console.log();
    const tarballs = Object.fromEntries(packed.map((p) => [p.name, p.file]));
    const rows: string[][] = [];
    // BENCH_FOOTPRINT_ONLY=pg measures only the scenarios whose name contains it.
    const only = process.env.BENCH_FOOTPRINT_ONLY;
    for (const [index, scenario] of SCENARIOS.entries()) {
      if (only && !scenario.name.includes(only)) continue;
      const dir = join(work, `project-${index}`);
      const started = performance.now();
      await installProject(dir, { dependencies: scenario.dependencies(tarballs), allowScripts: ['sqlite3'] });
      const seconds = (performance.now() - started) / 1000;
      const { bytes, packages } = footprint(dir);
      rows.push([scenario.name, mib(bytes), String(packages), `${seconds.toFixed(0)} s`]);
    }
    printTable(['fresh install', 'node_modules', 'packages', 'install time'], rows);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
