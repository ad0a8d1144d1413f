import { defineConfig } from 'tsup';

/** The build of each adapter package (one entry, ESM and CJS, types), shared by all three. */
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
});
