import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One entry of the admin bundle: the script and style sheets a page loads. */
export interface AdminEntry {
  script: string;
  styles: readonly string[];
  /** The page icon (browsers ask for one; without it they ask the host's `/favicon.ico`). */
  icon?: string;
}

/** The built admin bundle as the routes serve it (see docs/guides/admin.md). */
export interface AdminBundle {
  /** The admin page (`app/main.tsx`) and the API reference page (`app/docs/main.ts`). */
  readonly app: AdminEntry;
  readonly docs: AdminEntry;
  /** The bytes and content type of a file under `assets/`, or undefined when the manifest does not list it. */
  file(name: string): { body: Buffer; contentType: string } | undefined;
}

/** Vite's `manifest.json`: one record per chunk or asset, keyed by source path. */
type ViteManifest = Record<string, { file: string; css?: string[]; assets?: string[]; isEntry?: boolean }>;

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

/** The package's `admin/` folder: found by walking up to `@app/core`'s package.json, from `src/` or `dist/` alike. */
function adminDirectory(): string | undefined {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth += 1) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@app/core') {
      return join(directory, 'admin');
    }
    directory = dirname(directory);
  }
  return undefined;
}

function entryOf(manifest: ViteManifest, source: string): AdminEntry {
  const chunk = manifest[source];
  if (!chunk?.isEntry) throw new Error(`admin manifest has no entry ${source}`);
  return { script: chunk.file, styles: chunk.css ?? [], icon: manifest['app/icon.svg']?.file };
}

/**
 * Reads the admin bundle's manifest once; file bytes are read on first request and kept.
 * Only files the manifest names are ever served, so no request path reaches the file system
 * (no traversal, no stray files). Returns undefined when the bundle is not built.
 */
export function loadAdminBundle(directory = adminDirectory()): AdminBundle | undefined {
  if (!directory || !existsSync(join(directory, 'manifest.json'))) return undefined;
  const manifest = JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8')) as ViteManifest;
  const listed = new Set<string>();
  for (const chunk of Object.values(manifest)) {
    for (const path of [chunk.file, ...(chunk.css ?? []), ...(chunk.assets ?? [])]) {
      if (path.startsWith('assets/')) listed.add(path.slice('assets/'.length));
    }
  }
  const cache = new Map<string, { body: Buffer; contentType: string }>();
  return {
    app: entryOf(manifest, 'app/main.tsx'),
    docs: entryOf(manifest, 'app/docs/main.ts'),
    file(name) {
      if (!listed.has(name)) return undefined;
      let entry = cache.get(name);
      if (!entry) {
        const contentType = CONTENT_TYPES[extname(name)] ?? 'application/octet-stream';
        entry = { body: readFileSync(join(directory, 'assets', name)), contentType };
        cache.set(name, entry);
      }
      return entry;
    },
  };
}

/** What the HTML shell of a page is rendered from. */
export interface ShellOptions {
  /** The URL path the API prefix is reachable at in the browser (e.g. `/api/v1`, or `/admin/api/v1` when the host mounted the router under `/admin`). */
  base: string;
  title: string;
  entry: AdminEntry;
  /** More `<meta name content>` pairs the script reads (the initial view, the bulk maximum). */
  meta?: Record<string, string>;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/**
 * The HTML shell: no inline script or style (CSP `default-src 'self'`), every URL absolute
 * under `base`, which the script also reads from `<meta name="app-base">` to call the API.
 */
export function renderShell(options: ShellOptions): string {
  const asset = (file: string) => escapeHtml(`${options.base}/dashboard/${file}`);
  const meta = { 'app-base': options.base, ...options.meta };
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ...Object.entries(meta).map(([name, content]) => `<meta name="${escapeHtml(name)}" content="${escapeHtml(content)}">`),
    `<title>${escapeHtml(options.title)}</title>`,
    ...(options.entry.icon ? [`<link rel="icon" href="${asset(options.entry.icon)}" type="image/svg+xml">`] : []),
    ...options.entry.styles.map((file) => `<link rel="stylesheet" href="${asset(file)}">`),
    `<script type="module" src="${asset(options.entry.script)}"></script>`,
    '</head>',
    '<body>',
    '<div id="app"></div>',
    '<noscript>This page needs JavaScript.</noscript>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
