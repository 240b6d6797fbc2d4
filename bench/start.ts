// npm run bench:start: how long `npm start` takes to print the example app's URL in a fresh
// clone (no dist), as a new user meets it right after `npm ci`. Each run gets an empty TMPDIR,
// so tsx's compile cache is as cold as on a first start; a second table shows warm starts.
// BENCH_START_BASELINE=1 adds the old command (build the package, then start) for comparison.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshClone } from '../test/helpers/fresh-clone.js';
import { freePort } from '../test/helpers/processes.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Starts `command` in `cwd` and resolves with the milliseconds until it prints the app's URL. */
async function timeToURL(command: string, cwd: string, tmp: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn('sh', ['-c', command], {
    cwd,
    detached: true,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', TMPDIR: tmp, npm_config_loglevel: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no URL after 120 s: ${out}`)), 120_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (/App: +http:\/\//.test(out)) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      });
      child.once('exit', (code) => reject(new Error(`${command} exited with ${code}: ${out}`)));
    });
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
}

async function series(name: string, command: string, cwd: string, cold: boolean): Promise<string> {
  const times: number[] = [];
  const shared = mkdtempSync(join(tmpdir(), 'sf-start-tmp-'));
  for (let i = 0; i < RUNS; i += 1) {
    const tmp = cold ? mkdtempSync(join(tmpdir(), 'sf-start-tmp-')) : shared;
    times.push(await timeToURL(command, cwd, tmp));
    if (cold) rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(shared, { recursive: true, force: true });
  const runs = times.map((t) => (t / 1000).toFixed(2)).join(', ');
  return `| ${name.padEnd(44)} | ${(median(times) / 1000).toFixed(2).padStart(8)} | ${runs} |`;
}

const work = mkdtempSync(join(tmpdir(), 'sf-bench-start-'));
try {
  const clone = freshClone(join(work, 'repo'));
  const rows = [
    await series('npm start, cold tsx cache (first start)', 'npm start', clone, true),
    await series('npm start, warm tsx cache', 'npm start', clone, false),
  ];
  if (process.env.BENCH_START_BASELINE === '1') {
    rows.push(
      await series(
        'before: npm run build && tsx (cold cache)',
        'npm run build && npx tsx example-app/server.ts',
        clone,
        true,
      ),
    );
  }
  console.log(`\nTime from \`npm start\` to the app's URL, fresh clone without dist, ${RUNS} runs\n`);
  console.log(`| ${'Command'.padEnd(44)} | median s | runs (s) |`);
  console.log(`| ${'-'.repeat(44)} | -------: | -------- |`);
  for (const row of rows) console.log(row);
} finally {
  rmSync(work, { recursive: true, force: true });
}
