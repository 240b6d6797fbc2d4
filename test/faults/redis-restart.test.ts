import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive } from '../helpers/processes.js';
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

const DOWN_SECONDS = 12;
let cluster: Cluster;

// Found 2026-12-02, failing 4 runs of 4 on a quiet machine before the rotation mark
// (src/tokens/rotation-mark.ts): the outage outlasts the lock's lease (7 s here), so when Redis
// returns a sibling could take the lock and present the old refresh token before the instance
// holding the rotated set wrote it (6 to 11 reuses, up to 10 logins lost).

describe.skipIf(skipRedis || skipOnExpress4)('fault: Redis restarts under load', () => {
  beforeAll(async () => {
    cluster = await startCluster({ accessTokenTtlSeconds: 4, persistent: true, env: { TIMEOUT_SECONDS: '2' } });
  }, 60_000);
  afterAll(() => cluster?.close());

  it(`a Redis crash and restart after ${DOWN_SECONDS} s (appendonly, fsync always), 20 users over two instances: no login lost, no process crashed`, async () => {
    const { emulator, redis, instances } = cluster;
    // Refreshes take a second at the provider; Redis dies while several are in flight, so the
    // provider rotates refresh tokens whose new values cannot be stored.
    emulator.latencyMs.token = 1_000;
    let restartedAt = 0;
    let killedAt = 0;
    let inFlightAtKill = 0;
    const faults = (async () => {
      await sleep(2_000);
      await waitUntil(() => emulator.inFlight.token >= 5, 3_000);
      inFlightAtKill = emulator.inFlight.token;
      killedAt = performance.now();
      await redis.kill();
      // From now on the provider answers at once: a sibling's refresh after the restart races
      // the kept tokens' write.
      emulator.latencyMs.token = 20;
      await sleep(DOWN_SECONDS * 1000);
      await redis.restart();
      restartedAt = performance.now();
    })();
    const loadStart = performance.now();
    const outcomes = await drive(cluster, { seconds: 4 + DOWN_SECONDS + 5 });
    await faults;
    const sinceRestart = restartedAt - loadStart;
    const firstOk = outcomes.find((o) => o.at > sinceRestart && o.answer === '200');
    const after = await stillLoggedIn(cluster);
    const stats = await cluster.stats();
    report('redis restart', {
      downSeconds: DOWN_SECONDS,
      refreshesInFlightAtKill: inFlightAtKill,
      requests: outcomes.length,
      answers: tally(outcomes),
      firstOkAfterRestartMs: firstOk ? Math.round(firstOk.at - sinceRestart) : undefined,
      loggedOutDuringLoad: loggedOut(outcomes).size,
      lostAfterwards: after.lost.length,
      alive: instances.map((i) => alive(i)),
      redisErrorsLogged: instances.map(
        (i) =>
          i
            .stderr()
            .split('\n')
            .filter((l) => l.startsWith('redis:')).length,
      ),
      refreshGrants: emulator.counters.refreshGrants,
      refreshTokenReuses: emulator.counters.refreshTokenReuses,
      keptBecauseStoreFailed: stats['store:kept'] ?? 0,
      storedLate: stats['store:stored_late'] ?? 0,
      staleTokenServed: Object.entries(stats)
        .filter(([key]) => key.startsWith('stale:'))
        .reduce((sum, [, value]) => sum + value, 0),
    });
    expect(instances.map((i) => alive(i))).toEqual([true, true]);
    expect(loggedOut(outcomes)).toEqual(new Set());
    expect(after.lost).toEqual([]);
    expect(emulator.counters.refreshTokenReuses).toBe(0);
    // The load really ran into the outage and out of it; how many requests that was depends on
    // the machine.
    expect(outcomes.some((o) => o.answer === '200' && o.at < killedAt - loadStart)).toBe(true);
    expect(firstOk).toBeDefined();
  }, 60_000);
});
