import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

/**
 * Tests that put a bounded load (20 users, about 150 requests a second) on real app processes
 * and judge timing-dependent promises under it ("no login lost"). Each is designed to be the
 * load: four of them side by side on two cores measure the suite overloading itself, so they
 * run one at a time, after the rest.
 */
const LOAD_TESTS = [
  'test/faults/instance-death.test.ts',
  'test/faults/redis-restart.test.ts',
  'test/faults/slow-refresh-lock.test.ts',
  'test/faults/token-endpoint.test.ts',
  'test/redis/instances.test.ts',
  'test/redis/logout-thief.test.ts',
  'test/redis/end-of-login.test.ts',
  'test/faults/redis-outage.test.ts',
  'test/redis/cluster.test.ts',
  'test/redis/sentinel.test.ts',
];

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
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Every process a test starts is killed when its file ends, and the run fails if one outlives it.
    globalSetup: ['test/setup/no-leftovers.ts'],
    setupFiles: ['test/setup/kill-children.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: LOAD_TESTS,
          // Most tests wait on sockets, child processes and timers rather than the CPU: on these
          // 2-core machines four workers finish the suite in about half the time of the default two.
          maxWorkers: 4,
        },
      },
      {
        extends: true,
        test: {
          name: 'load',
          include: LOAD_TESTS,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
