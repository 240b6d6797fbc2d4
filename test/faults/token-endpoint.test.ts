import { afterEach, describe, expect, it } from 'vitest';
import { skipRedis } from '../helpers/redis.js';
import {
  drive,
  loggedOut,
  report,
  sleep,
  slowest,
  slowestHandled,
  startCluster,
  stillLoggedIn,
  tally,
  type Cluster,
  type Outcome,
} from './cluster.js';
import { skipOnExpress4 } from './express-major.js';

let cluster: Cluster | undefined;

/**
 * Users served, before `from`, with an access token that expires after `until` (the expiry the
 * instance reported with a 200 that ended before `from`).
 */
function validThrough(outcomes: readonly Outcome[], from: number, until: number): Set<number> {
  const latest = new Map<number, number>();
  for (const o of outcomes) {
    if (o.expiresAt === undefined || o.startedAt + o.ms >= from) continue;
    latest.set(o.user, Math.max(latest.get(o.user) ?? 0, o.expiresAt));
  }
  return new Set([...latest].filter(([, expiresAt]) => expiresAt > until).map(([user]) => user));
}

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
    // due and lasts as long as their second half-life. The provider answers at once, so calls
    // keep the default timeout (10 s): a shorter one measures how busy the machine is.
    cluster = await startCluster({ accessTokenTtlSeconds: 5 });
    const { emulator } = cluster;
    const outageMs = 2_500;
    let outageStart = Number.POSITIVE_INFINITY;
    const outage = (async () => {
      await sleep(1_000);
      outageStart = Date.now();
      emulator.failFor('token', { status: 500 }, outageMs / 1000);
    })();
    const outcomes = await drive(cluster, { seconds: 10 });
    await outage;
    const after = await stillLoggedIn(cluster, 5);
    const stats = await cluster.stats();
    // The promise holds for the users whose access token outlived the outage: the token they
    // were served with before it began expires after it ended. A user whose token expired while
    // the provider was down (its refresh fell due just before the outage, or the logins and the
    // first requests were slow) can only be refused, and is not lost.
    const covered = validThrough(outcomes, outageStart, outageStart + outageMs);
    const failedWhileValid = outcomes.filter((o) => covered.has(o.user) && o.answer !== '200');
    report('token endpoint outage, tokens still valid', {
      outageSeconds: outageMs / 1000,
      requests: outcomes.length,
      answers: tally(outcomes),
      usersWithATokenValidThroughout: covered.size,
      failedWhileValid: tally(failedWhileValid),
      refreshAttemptsRefused500: stats['refreshFailed:SF_PROVIDER_ERROR'] ?? 0,
      staleTokenServed: staleServed(stats),
      refreshGrants: emulator.counters.refreshGrants,
      lostAfterwards: after.lost.length,
    });
    // By the geometry (a served token has 2.5 to 5 s left, the outage lasts 2.5 s) about half
    // the users are covered on a busy machine, nearly all on an idle one; a quarter keeps the
    // test meaningful.
    expect(covered.size).toBeGreaterThanOrEqual(cluster.users.length / 4);
    expect(staleServed(stats)).toBeGreaterThan(0);
    expect(tally(failedWhileValid)).toEqual({});
    expect(loggedOut(outcomes)).toEqual(new Set());
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
    const figures = (outcomes: Outcome[]) => ({
      requests: outcomes.length,
      answers: tally(outcomes),
      slowestHandledMs: slowestHandled(outcomes),
      slowestSeenByClientMs: Math.round(slowest(outcomes)),
    });
    report('slow token endpoint, budget 3 s', {
      slow1800ms: figures(slow),
      hanging: figures(hanging),
      loggedOut: loggedOut([...slow, ...hanging]).size,
      undeliveredTokenAnswers: emulator.counters.undeliveredTokenAnswers,
      refreshTokenReuses: emulator.counters.refreshTokenReuses,
    });
    // The budget, plus what it does not cover (loading and saving the session in Redis) and
    // timers firing late on a busy machine; the figures above show the real margin. Measured
    // in the instance: the client's figure also counts the time a busy machine kept a request
    // queued before the instance saw it, which no budget of the package can cover.
    expect(slowestHandled(slow)).toBeLessThan(3_750);
    expect(slowestHandled(hanging)).toBeLessThan(3_750);
    expect(loggedOut([...slow, ...hanging])).toEqual(new Set());
    // The runs met the slow paths: refreshes that waited, and requests the budget cut short.
    expect(slowestHandled(slow)).toBeGreaterThan(1_800);
    expect(hanging.some((o) => o.answer !== '200')).toBe(true);
  }, 60_000);
});
