import { afterEach, describe, expect, it } from 'vitest';
import { alive, type Instance } from '../helpers/processes.js';
import { skipRedis } from '../helpers/redis.js';
import {
  drive,
  loggedOut,
  report,
  sleep,
  startCluster,
  stillLoggedIn,
  tally,
  waitUntil,
  type Cluster,
} from './cluster.js';
import { skipOnExpress4 } from './express-major.js';

// Access tokens live 4 s (refreshed at 2 s), refreshes take a second at the provider, provider
// calls time out after 2 s, so the lock lease is 7 s (README: timeoutSeconds + 5).
const SETUP = { accessTokenTtlSeconds: 4, env: { TIMEOUT_SECONDS: '2', REQUEST_TIMEOUT_SECONDS: '4' } };
let cluster: Cluster | undefined;

/**
 * Runs 10 s of load over both instances. About 2 s in, instance A takes all the traffic for a
 * moment, so that every refresh in flight is A's; once 6 are (or 3 s have passed), A is `stop`ped and B
 * takes the traffic.
 */
async function loadAndStop(running: Cluster, stop: (a: Instance) => void) {
  const [a, b] = running.instances as [Instance, Instance];
  running.emulator.latencyMs.token = 1_000;
  let inFlight = 0;
  const fault = (async () => {
    await sleep(2_000);
    running.route([a]);
    await sleep(1_100); // B's refreshes (1 s at the provider) are over
    await waitUntil(() => running.emulator.inFlight.token >= 6, 3_000);
    inFlight = running.emulator.inFlight.token;
    running.route([b]);
    stop(a);
  })();
  const outcomes = await drive(running, { seconds: 10 });
  await fault;
  const after = await stillLoggedIn(running);
  return { outcomes, after, inFlight };
}

describe.skipIf(skipRedis || skipOnExpress4)('fault: an instance dies while it refreshes', () => {
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('SIGTERM mid-refresh (the README shutdown hook, auth.close()): no login lost, without any provider grace', async () => {
    cluster = await startCluster(SETUP);
    const a = cluster.instances[0]!;
    let shutdownMs = 0;
    const { outcomes, after, inFlight } = await loadAndStop(cluster, (instance) => {
      const signalled = performance.now();
      void instance.exited.then(() => (shutdownMs = performance.now() - signalled));
      instance.child.kill('SIGTERM');
    });
    const exit = await a.exited;
    const { counters } = cluster.emulator;
    report('SIGTERM mid-refresh', {
      refreshesInFlightAtSignal: inFlight,
      requests: outcomes.length,
      answers: tally(outcomes),
      exitCode: exit,
      shutdownMs: Math.round(shutdownMs),
      loggedOutDuringLoad: loggedOut(outcomes).size,
      lostAfterwards: after.lost.length,
      undeliveredTokenAnswers: counters.undeliveredTokenAnswers,
      refreshTokenReuses: counters.refreshTokenReuses,
      unsavedAtExit: /(\d+) refreshed token sets could not be stored/.exec(a.stderr())?.[1] ?? 0,
    });
    expect(exit).toBe(0);
    expect(inFlight).toBeGreaterThan(0); // A was refreshing when told to stop
    expect(counters.undeliveredTokenAnswers).toBe(0);
    expect(counters.refreshTokenReuses).toBe(0);
    expect(loggedOut(outcomes)).toEqual(new Set());
    expect(after.lost).toEqual([]);
  }, 60_000);

  it('SIGKILL mid-refresh, provider tolerating one reuse within 30 s: no login lost', async () => {
    cluster = await startCluster({ ...SETUP, emulator: { refreshReuseGraceSeconds: 30 } });
    const { outcomes, after, inFlight } = await loadAndStop(cluster, (a) => a.child.kill('SIGKILL'));
    const { counters } = cluster.emulator;
    report('SIGKILL mid-refresh, reuse grace 30 s', {
      refreshesInFlightAtKill: inFlight,
      requests: outcomes.length,
      answers: tally(outcomes),
      loggedOutDuringLoad: loggedOut(outcomes).size,
      lostAfterwards: after.lost.length,
      undeliveredTokenAnswers: counters.undeliveredTokenAnswers,
      toleratedReuses: counters.toleratedReuses,
      survivorAlive: alive(cluster.instances[1]!),
    });
    // The provider issued tokens to the dead process, and the survivor recovered with a reuse.
    expect(inFlight).toBeGreaterThan(0);
    expect(counters.toleratedReuses).toBeGreaterThan(0);
    expect(loggedOut(outcomes)).toEqual(new Set());
    expect(after.lost).toEqual([]);
  }, 60_000);

  it('SIGKILL mid-refresh, provider refusing every reuse: loses at most the users the dead instance was refreshing', async () => {
    cluster = await startCluster(SETUP);
    const { outcomes, after, inFlight } = await loadAndStop(cluster, (a) => a.child.kill('SIGKILL'));
    const { counters } = cluster.emulator;
    const lost = new Set([...loggedOut(outcomes), ...after.lost]);
    report('SIGKILL mid-refresh, no reuse grace', {
      refreshesInFlightAtKill: inFlight,
      requests: outcomes.length,
      answers: tally(outcomes),
      undeliveredTokenAnswers: counters.undeliveredTokenAnswers,
      lostLogins: lost.size,
      refreshTokenReuses: counters.refreshTokenReuses,
    });
    expect(inFlight).toBeGreaterThan(0);
    // Each lost user is one whose new tokens went to the dead process, found out by one reuse.
    // The emulator counts an answer as undelivered only when it already saw the connection
    // close; on a busy machine it often writes first, so the refreshes in flight at the kill
    // (all A's: A alone took the traffic for a second before) bound them too.
    const refreshedByTheDead = Math.max(counters.undeliveredTokenAnswers, inFlight);
    expect(lost.size).toBeLessThanOrEqual(refreshedByTheDead);
    expect(counters.refreshTokenReuses).toBeLessThanOrEqual(refreshedByTheDead);
    expect(alive(cluster.instances[1]!)).toBe(true);
  }, 60_000);
});
