import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  target: 'node20',
  clean: true,
  sourcemap: false,
  splitting: false,
  // import.meta.url in the CommonJS build (the optional @opentelemetry/api is loaded with createRequire).
  shims: true,
});
