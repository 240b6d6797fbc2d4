import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^passport-synergyflow\/testing$/, replacement: src('testing/index.ts') },
      { find: /^passport-synergyflow$/, replacement: src('index.ts') },
      // EXPRESS_MAJOR=4 runs the same suite, package code included, on Express 4.
      ...(process.env.EXPRESS_MAJOR === '4' ? [{ find: /^express$/, replacement: 'express4' }] : []),
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Every process a test starts is killed when its file ends, and the run fails if one outlives it.
    globalSetup: ['test/setup/no-leftovers.ts'],
    setupFiles: ['test/setup/kill-children.ts'],
    // Most tests wait on sockets, child processes and timers rather than the CPU: on these
    // 2-core machines four workers finish the suite in about half the time of the default two.
    maxWorkers: 4,
  },
});
