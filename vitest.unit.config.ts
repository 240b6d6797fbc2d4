import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:unit`: the fast inner loop. Pure unit tests only (no server, no Redis, no
 * browser, no child process): the refresh core on FakeClock and its model test, options,
 * errors, token sets, the README's tables and snippets as text. A few seconds; `npm test`
 * runs these again with everything else.
 */
export default defineConfig({
  resolve: base.resolve ?? {},
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/tokens/refresh-coordinator.test.ts',
      'test/tokens/refresh-coordinator.model.test.ts',
      'test/tokens/rotation-mark.test.ts',
      'test/coordination/**/*.test.ts',
    ],
    // One starts an HTTP server for a check, the other runs tsc over the README's snippets.
    exclude: ['test/unit/readme-tables.test.ts', 'test/unit/readme-snippets.test.ts'],
    testTimeout: 30_000,
    // Pure modules: one worker thread loads them once for every file (the loading is most of the time).
    pool: 'threads',
    isolate: false,
  },
});
