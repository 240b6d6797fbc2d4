// Vitest `globalSetup`: at the end of the run, fails it if any process started by a test is still
// alive. Every process a test starts inherits CHILD_MARK=<run id> (test/setup/kill-children.ts),
// so it is found in /proc whoever started it and however deep.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/** The environment variable that marks the processes a test started. */
export const CHILD_MARK = 'SF_TEST_CHILD_OF';

/** A process still alive at the end of the run. */
interface Leftover {
  pid: number;
  command: string;
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone, or not ours to read
  }
};

/** Processes (not zombies: those have exited) whose environment carries `mark`. */
function marked(mark: string): Leftover[] {
  if (process.platform !== 'linux') return [];
  const found: Leftover[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const state = /\)\s+(\S)/.exec(read(`/proc/${pid}/stat`) ?? '')?.[1];
    if (state === undefined || state === 'Z' || state === 'X') continue;
    if (!(read(`/proc/${pid}/environ`) ?? '').split('\0').includes(mark)) continue;
    found.push({ pid, command: (read(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim().slice(0, 200) });
  }
  return found;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Gives every test process of this run the run's id; returns the end-of-run check. */
export default function setup(): () => Promise<void> {
  // Each vitest project runs this setup: they share one id, and each end-of-run check sees all.
  const runId = process.env.SF_TEST_RUN_ID ?? randomUUID();
  process.env.SF_TEST_RUN_ID = runId;
  const mark = `${CHILD_MARK}=${runId}`;
  return async () => {
    // A process killed a moment ago may still be on its way out.
    let left = marked(mark);
    for (let i = 0; i < 20 && left.length > 0; i += 1) {
      await sleep(100);
      left = marked(mark);
    }
    if (left.length === 0) return;
    for (const { pid } of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
    process.exitCode = 1;
    const list = left.map(({ pid, command }) => `  pid ${pid}: ${command}`).join('\n');
    console.error(`\nLEFTOVER PROCESSES: ${left.length} started by tests outlived them (now killed):\n${list}\n`);
    throw new Error(`${left.length} processes started by tests were still running at the end of the run`);
  };
}
