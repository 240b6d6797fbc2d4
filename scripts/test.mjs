#!/usr/bin/env node
// `npm test`: the type check, the Express 5 pass and the Express 4 pass, each run whatever the
// others did (a failed Express 5 pass must not hide the Express 4 one), then one summary. Exits
// non-zero when any step failed. `--only=typecheck|express5|express4` runs one step; other
// arguments go to both vitest passes (`npm test -- test/faults`).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const extra = process.argv.slice(2).filter((arg) => !arg.startsWith('--only='));
const bin = (name) => `node_modules/.bin/${name}`;

/** Files the Express 4 pass leaves out: they test the package, its README or the browser, not Express. */
const NOT_ON_EXPRESS_4 = [
  'test/package.test.ts',
  'test/package-fresh-clone.test.ts',
  'test/unit/readme-snippets.test.ts',
  'test/browser.test.ts',
  'test/redis/instances.test.ts',
  'test/redis/cluster.test.ts',
];

const steps = [
  { name: 'typecheck', command: bin('tsc'), args: ['-p', 'tsconfig.json'], env: {} },
  { name: 'express5', command: bin('vitest'), args: ['run', ...extra], env: {} },
  {
    name: 'express4',
    command: bin('vitest'),
    args: ['run', ...NOT_ON_EXPRESS_4.flatMap((file) => ['--exclude', file]), ...extra],
    env: { EXPRESS_MAJOR: '4' },
  },
].filter((step) => only === undefined || step.name === only);
if (steps.length === 0) throw new Error(`scripts/test.mjs: no step named ${only}`);

/**
 * Processes still alive that a test of run `runId` started (test/setup/kill-children.ts marks
 * them). Vitest's own end-of-run check misses them when vitest itself was killed or crashed.
 */
function leftovers(runId) {
  const mark = `SF_TEST_CHILD_OF=${runId}`;
  const found = [];
  for (const entry of process.platform === 'linux' ? readdirSync('/proc') : []) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      if (/\)\s+Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) continue;
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(mark)) continue;
      found.push({ pid, command: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').slice(0, 160) });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Runs one step with its output shown as it comes; resolves with its exit code and its test counts. */
function run(step) {
  return new Promise((resolve) => {
    const started = Date.now();
    const runId = randomUUID();
    const child = spawn(step.command, step.args, {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...step.env, SF_TEST_RUN_ID: runId },
    });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    });
    // Ctrl-C reaches the child through the terminal; a SIGTERM is passed on, and no further
    // step starts.
    const forward = (signal) => {
      stopped = true;
      child.kill(signal);
    };
    process.on('SIGTERM', forward);
    child.on('close', (code, signal) => {
      process.off('SIGTERM', forward);
      const left = leftovers(runId);
      for (const { pid, command } of left) {
        console.error(`LEFTOVER PROCESS of ${step.name}, killed: pid ${pid}: ${command}`);
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
      const exit = code ?? (signal ? 1 : 0);
      const seconds = (Date.now() - started) / 1000;
      resolve({ ...step, code: exit === 0 && left.length > 0 ? 1 : exit, seconds, ...counts(tail) });
    });
  });
}

/** Vitest's closing "Tests  3 failed | 380 passed (383)" line, read back. */
function counts(output) {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
  const line = /^\s*Tests\s+(.*)$/m.exec(plain)?.[1] ?? '';
  const number = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
  return { passed: number('passed'), failed: number('failed'), skipped: number('skipped') };
}

let stopped = false;
const results = [];
for (const step of steps) {
  if (stopped) break;
  console.log(`\n=== npm test: ${step.name} ===`);
  results.push(await run(step));
}

console.log('\n=== npm test: summary ===');
for (const r of results) {
  const tests = r.name === 'typecheck' ? '' : `, ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`;
  console.log(`${r.code === 0 ? 'ok  ' : 'FAIL'} ${r.name} (exit ${r.code}, ${r.seconds.toFixed(0)} s${tests})`);
}
const passed = results.reduce((sum, r) => sum + r.passed, 0);
// A failed step with no failed test (type errors, a leftover process, a crash) still counts once.
const failed = results.reduce((sum, r) => sum + (r.code === 0 ? r.failed : Math.max(1, r.failed)), 0);
console.log(`npm-test: ${passed} passed, ${failed} failed`);
process.exitCode = results.some((r) => r.code !== 0) ? 1 : 0;
