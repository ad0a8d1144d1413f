import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', cli: 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' } },
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  // One copy of the core shared by the three entries (ESM and CJS alike), so `AppError`,
  // `ConfigError` and the rest are the same classes from `@app/core` and `@app/core/testing`.
  splitting: true,
  shims: true,
  // Optional peers: resolved at run time from the host's node_modules, never bundled.
  external: ['mocha', 'chai', 'supertest', 'pg', 'sqlite3', 'ioredis'],
});
