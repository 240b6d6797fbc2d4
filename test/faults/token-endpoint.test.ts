import { afterEach, describe, expect, it } from 'vitest';
import { skipRedis } from '../helpers/redis.js';
import {
  drive,
  loggedOut,
  report,
  sleep,
  slowest,
  startCluster,
  stillLoggedIn,
  tally,
  type Cluster,
} from './cluster.js';
import { skipOnExpress4 } from './express-major.js';

let cluster: Cluster | undefined;

const staleServed = (stats: Record<string, number>): number =>
  Object.entries(stats)
    .filter(([key]) => key.startsWith('stale:'))
    .reduce((sum, [, value]) => sum + value, 0);

describe.skipIf(skipRedis || skipOnExpress4)('fault: the token endpoint fails or crawls', () => {
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('a token-endpoint outage (500s) while access tokens are still valid fails no request', async () => {
    // Tokens live 5 s and fall due at 2.5 s, as in the issue; the outage starts as they fall
    // due and ends before they expire.
    cluster = await startCluster({ accessTokenTtlSeconds: 5, env: { TIMEOUT_SECONDS: '2' } });
    const { emulator } = cluster;
    const outage = (async () => {
      await sleep(1_000);
      emulator.failFor('token', { status: 500 }, 2.5);
    })();
    const outcomes = await drive(cluster, { seconds: 10 });
    await outage;
    const after = await stillLoggedIn(cluster, 5);
    const stats = await cluster.stats();
    report('token endpoint outage, tokens still valid', {
      outageSeconds: 2.5,
      requests: outcomes.length,
      answers: tally(outcomes),
      refreshAttemptsRefused500: stats['refreshFailed:SF_PROVIDER_ERROR'] ?? 0,
      staleTokenServed: staleServed(stats),
      refreshGrants: emulator.counters.refreshGrants,
      lostAfterwards: after.lost.length,
    });
    expect(staleServed(stats)).toBeGreaterThan(0);
    expect(tally(outcomes)).toEqual({ 200: outcomes.length });
    expect(after.lost).toEqual([]);
  }, 60_000);

  it('no request outlives requestTimeoutSeconds (3 s) with a slow, then hanging token endpoint', async () => {
    // Tokens fall due every 1.5 s; two request loops per user, one on each instance, contend
    // for each refresh; provider calls time out after 2 s.
    cluster = await startCluster({
      accessTokenTtlSeconds: 3,
      env: { TIMEOUT_SECONDS: '2', REQUEST_TIMEOUT_SECONDS: '3' },
    });
    const { emulator } = cluster;
    emulator.latencyMs.token = 1_800;
    const slow = await drive(cluster, { seconds: 6, loops: 2 });
    emulator.latencyMs.token = 0;
    emulator.failFor('token', 'hang', 6);
    const hanging = await drive(cluster, { seconds: 6, loops: 2 });
    emulator.clearFailures();
    report('slow token endpoint, budget 3 s', {
      slow1800ms: { requests: slow.length, answers: tally(slow), slowestMs: Math.round(slowest(slow)) },
      hanging: { requests: hanging.length, answers: tally(hanging), slowestMs: Math.round(slowest(hanging)) },
      loggedOut: loggedOut([...slow, ...hanging]).size,
    });
    // The budget, plus what it does not cover (loading and saving the session in Redis) and
    // timers firing late on a busy machine; the figures above show the real margin.
    expect(slowest(slow)).toBeLessThan(3_750);
    expect(slowest(hanging)).toBeLessThan(3_750);
    expect(loggedOut([...slow, ...hanging])).toEqual(new Set());
    // The runs met the slow paths: refreshes that waited, and requests the budget cut short.
    expect(slowest(slow)).toBeGreaterThan(1_800);
    expect(hanging.some((o) => o.answer !== '200')).toBe(true);
  }, 60_000);
});
