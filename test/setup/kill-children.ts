// Runs in every test file (vitest `setupFiles`): whatever processes the file started and did not
// stop (a test failed or timed out before its own cleanup) are killed when the file ends.
import { afterAll } from 'vitest';
import { killChildren } from '../helpers/children.js';
import { CHILD_MARK } from './no-leftovers.js';

// Set after this worker started, so the worker's own environment (/proc/PID/environ) lacks it,
// while every process started from here on (redis-server, app instances, Chromium, npm, tsc)
// inherits it: that is how the end-of-run check finds them.
const runId = process.env.SF_TEST_RUN_ID;
if (runId) process.env[CHILD_MARK] = runId;

afterAll(async () => {
  await killChildren();
});
