import { defineConfig } from 'vite';

/**
 * Builds the admin page and the API reference page into @app/core's `admin/` folder, which
 * is committed so an installed @app/core serves them with no build step. The core serves only
 * the files `manifest.json` lists and renders each page's HTML shell itself (docs/guides/admin.md).
 */
export default defineConfig({
  // Every chunk finds its siblings relative to its own URL: the host decides the prefix.
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../core/admin',
    emptyOutDir: true,
    manifest: 'manifest.json',
    assetsDir: 'assets',
    // No data: URIs of our own: the page's CSP is default-src 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      input: { app: 'app/main.tsx', docs: 'app/docs/main.ts' },
    },
  },
});
