import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipRedis } from '../helpers/redis.js';
import { report, sleep, startCluster, visit, type Cluster } from './cluster.js';
import { skipOnExpress4 } from './express-major.js';

let cluster: Cluster;

describe.skipIf(skipRedis || skipOnExpress4)('fault: a token endpoint slower than the old 5 s lock wait', () => {
  // The README's setup with its defaults: timeoutSeconds 10, so the lock wait is 11 s and the
  // lease 15 s. The old code gave up waiting after 5 s and refreshed without the lock.
  beforeAll(async () => {
    cluster = await startCluster({ users: 1, accessTokenTtlSeconds: 2 });
  }, 60_000);
  afterAll(() => cluster?.close());

  it('F14: a 6 s refresh, 10 concurrent requests over two instances, one rotating refresh token: exactly one grant, no reuse, no logout', async () => {
    const { emulator, instances, users } = cluster;
    const user = users[0]!;
    await sleep(2_100); // the access token has expired: every request needs the refresh
    emulator.latencyMs.token = 6_000;
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        await sleep(i * 50);
        return visit(instances[i % 2]!, user);
      }),
    );
    const ms = performance.now() - started;
    emulator.latencyMs.token = 0;
    report('F14 slow refresh under the lock', {
      tokenLatencyMs: 6_000,
      answers,
      refreshGrants: emulator.counters.refreshGrants,
      refreshTokenReuses: emulator.counters.refreshTokenReuses,
      wallMs: Math.round(ms),
    });
    expect(emulator.counters.refreshGrants).toBe(1);
    expect(emulator.counters.refreshTokenReuses).toBe(0);
    expect(answers).toEqual(Array(10).fill('200'));
    // And the login goes on: both instances serve the rotated tokens.
    expect([await visit(instances[0]!, user), await visit(instances[1]!, user)]).toEqual(['200', '200']);
    expect(emulator.counters.refreshGrants).toBe(1);
  }, 60_000);
});
