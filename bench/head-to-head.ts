// Head-to-head: a row and its baseline loaded at the same moment, both servers pinned to the same
// core. The scheduler gives each half of it, so the ratio of the requests they serve is the ratio
// of what a request costs them; whatever the machine's neighbours do meanwhile hits both alike.
// Measured one after the other, the same two rows swing by several percent between rounds here.
//
// Two more biases are cancelled by alternation: which process was started first, and which load
// starts first in a round. Two copies of the same app, both always started in the same order,
// measured 1.02-1.04 apart; alternating both, 1.00-1.01, provided the trials are even in number
// (see run.ts). Fresh processes in each trial also spread the JIT's luck of one process over
// several.
import type { ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import type { Target } from './servers.js';

/** Starts one server process for the comparison. */
export type StartServer = () => Promise<{ child: ChildProcess; target: Target }>;

/** How long and how often to compare. */
export interface HeadToHeadOptions {
  /** Fresh pairs of server processes. */
  trials: number;
  /** Rounds per pair. */
  rounds: number;
  seconds: number;
  connections: number;
}

async function load(name: string, target: Target, seconds: number, connections: number): Promise<number> {
  const result = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    headers: target.cookie ? { cookie: target.cookie, accept: 'application/json' } : {},
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors (head-to-head)`);
  }
  return result.requests.total;
}

/** Loads both at once, the one named first started first; resolves [row, base] request counts. */
function together(
  name: string,
  row: Target,
  base: Target,
  rowFirst: boolean,
  seconds: number,
  connections: number,
): Promise<readonly [number, number]> {
  const loadRow = (): Promise<number> => load(name, row, seconds, connections);
  const loadBase = (): Promise<number> => load(`${name} (baseline)`, base, seconds, connections);
  return rowFirst
    ? Promise.all([loadRow(), loadBase()] as const)
    : Promise.all([loadBase(), loadRow()]).then(([b, r]) => [r, b] as const);
}

/**
 * The ratios, one per round of every trial, of the requests the row served to those the
 * baseline served while both were loaded at once (above 1: the row is cheaper).
 */
export async function headToHead(
  name: string,
  startRow: StartServer,
  startBase: StartServer,
  options: HeadToHeadOptions,
): Promise<number[]> {
  const ratios: number[] = [];
  for (let trial = 0; trial < options.trials; trial += 1) {
    const rowFirst = trial % 2 === 0;
    const first = await (rowFirst ? startRow : startBase)();
    const second = await (rowFirst ? startBase : startRow)().catch((error: unknown) => {
      first.child.kill('SIGTERM');
      throw error;
    });
    const [row, base] = rowFirst ? [first.target, second.target] : [second.target, first.target];
    try {
      // Two servers under load at once is a new regime for both: the first round settles it.
      await together(name, row, base, true, 2, options.connections);
      for (let round = 0; round < options.rounds; round += 1) {
        const [served, baseServed] = await together(
          name,
          row,
          base,
          (trial + round) % 2 === 0,
          options.seconds,
          options.connections,
        );
        ratios.push(served / baseServed);
      }
    } finally {
      first.child.kill('SIGTERM');
      second.child.kill('SIGTERM');
    }
  }
  return ratios;
}
