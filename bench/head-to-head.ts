// Head-to-head: a row and its baseline loaded at the same moment, both servers pinned to the same
// core. The scheduler gives each half of it, so the ratio of the requests they serve is the ratio
// of what a request costs them; whatever the machine's neighbours do meanwhile hits both alike.
// Measured one after the other, the same two rows swing by several percent between rounds here.
import autocannon from 'autocannon';
import type { Target } from './servers.js';

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

/**
 * The ratios, one per round, of the requests `row` served to those `base` served while both
 * were loaded at once (above 1: the row is cheaper).
 */
export async function headToHead(
  name: string,
  row: Target,
  base: Target,
  options: { rounds: number; seconds: number; connections: number },
): Promise<number[]> {
  const ratios: number[] = [];
  // Two servers under load at once is a new regime for both: the first round settles it.
  await Promise.all([load(name, row, 2, options.connections), load(name, base, 2, options.connections)]);
  for (let round = 0; round < options.rounds; round += 1) {
    const [served, baseServed] = await Promise.all([
      load(name, row, options.seconds, options.connections),
      load(`${name} (baseline)`, base, options.seconds, options.connections),
    ]);
    ratios.push(served / baseServed);
  }
  return ratios;
}
