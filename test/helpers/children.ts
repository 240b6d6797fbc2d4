// Every process a test starts (redis-server, app instances) is started here: in its own process
// group, remembered, and killed with that group when its test file ends, passed or failed
// (test/setup/kill-children.ts), or when the test worker exits. test/setup/no-leftovers.ts then
// checks at the end of the run that none survived.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const running = new Set<ChildProcess>();

/** True while `child` has not exited. */
function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Sends `signal` to the child's whole process group (it leads one: it was spawned detached). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || !isRunning(child)) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone between the check and the kill.
  }
}

/**
 * Spawns `command` as the leader of a new process group and remembers it until it exits, so
 * {@link killChildren} can stop it and everything it started.
 */
export function spawnChild(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/**
 * Kills the process groups of every child still running (SIGKILL: a test that got here has
 * finished with them, or failed) and waits until each has exited, at most `timeoutMs`.
 */
export async function killChildren(timeoutMs = 5_000): Promise<number> {
  const left = [...running].filter(isRunning);
  for (const child of left) signalGroup(child, 'SIGKILL');
  await Promise.race([
    Promise.all(
      left.map(
        (child) => new Promise((resolve) => (isRunning(child) ? child.once('exit', resolve) : resolve(undefined))),
      ),
    ),
    new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
  ]);
  return left.length;
}

// A worker that ends (or is ended by vitest) takes its children with it: 'exit' handlers run
// synchronously, and process.kill is synchronous.
process.once('exit', () => {
  for (const child of running) signalGroup(child, 'SIGKILL');
});
