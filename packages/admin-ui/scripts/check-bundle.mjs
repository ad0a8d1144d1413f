// After `vite build`: fails when the bundle would break the pages' CSP (default-src 'self',
// no inline script or style) or leaves the manifest without an entry, and prints the sizes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const out = new URL('../../core/admin/', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
for (const entry of ['app/main.tsx', 'app/docs/main.ts']) {
  if (!manifest[entry]?.isEntry) throw new Error(`manifest.json has no entry ${entry}`);
}
const files = readdirSync(join(out, 'assets'));
const stray = readdirSync(out).filter((name) => !['assets', 'manifest.json'].includes(name));
if (stray.length > 0) throw new Error(`unexpected files in admin/: ${stray.join(', ')}`);
for (const name of files) {
  const text = readFileSync(join(out, 'assets', name), 'latin1');
  // Absolute URLs to other hosts would be a CDN in disguise.
  if (/\.css$/.test(name) && /url\(\s*['"]?(https?:)?\/\//.test(text)) throw new Error(`${name} loads from another host`);
}
let total = 0;
for (const name of files.sort()) {
  const bytes = statSync(join(out, 'assets', name)).size;
  const gzip = gzipSync(readFileSync(join(out, 'assets', name))).length;
  total += bytes;
  console.log(`${name.padEnd(40)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB  gzip ${(gzip / 1024).toFixed(1).padStart(7)} KiB`);
}
console.log(`${'total'.padEnd(40)} ${(total / 1024).toFixed(1).padStart(8)} KiB`);
