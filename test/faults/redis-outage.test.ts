// A Redis outage with the README's several-instances code: the sessions live on the same Redis,
// so express-session fails before the package runs. Every request that meets the outage must be
// answered 503 with Retry-After, quickly, never a 500 or a hang; the service comes back by itself.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, freePort, startInstance, stopInstances, type Instance } from '../helpers/processes.js';
import { skipRedis, startRedis } from '../helpers/redis.js';
import { report, sleep, startCluster, stillLoggedIn, type Cluster, type User } from './cluster.js';
import { skipOnExpress4 } from './express-major.js';

/** What one request met, with the headers an outage answer must carry. */
interface Seen {
  answer: string;
  retryAfter: string | null;
  ms: number;
  /** Started while Redis was down (or paused). */
  duringOutage: boolean;
}

async function visit(instance: Instance, user: User): Promise<Omit<Seen, 'duringOutage'>> {
  const start = performance.now();
  try {
    const res = await fetch(`${instance.url}/dashboard`, {
      headers: { accept: 'application/json', cookie: user.cookie },
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let reason = '';
    try {
      const { error } = JSON.parse(text) as { error?: { code?: string; reason?: string } };
      reason = error?.reason ?? error?.code ?? '';
    } catch {
      reason = `not the package answer: ${text.slice(0, 300)}`;
    }
    const answer = res.status === 200 ? '200' : `${res.status} ${reason}`;
    return { answer, retryAfter: res.headers.get('retry-after'), ms: performance.now() - start };
  } catch (error) {
    const answer = (error as Error).name === 'TimeoutError' ? 'client timeout' : 'connection error';
    return { answer, retryAfter: null, ms: performance.now() - start };
  }
}

/** Every user sends requests in turn to both instances while `fault` runs, then 3 s more. */
async function underLoad(cluster: Cluster, fault: (outage: (down: boolean) => void) => Promise<void>): Promise<Seen[]> {
  const seen: Seen[] = [];
  let down = false;
  let running = true;
  const loops = cluster.users.map(async (user) => {
    for (let n = user.id; running; n += 1) {
      const instance = cluster.instances[n % cluster.instances.length]!;
      const duringOutage = down;
      seen.push({ ...(await visit(instance, user)), duringOutage });
      await sleep(100);
    }
  });
  await fault((value) => {
    down = value;
  });
  await sleep(3_000);
  running = false;
  await Promise.all(loops);
  return seen;
}

function figures(seen: readonly Seen[]): Record<string, unknown> {
  const outage = seen.filter((s) => s.duringOutage);
  const ms = outage.map((s) => s.ms).sort((a, b) => a - b);
  const tally: Record<string, number> = {};
  for (const { answer } of seen) tally[answer] = (tally[answer] ?? 0) + 1;
  return {
    requests: seen.length,
    duringOutage: outage.length,
    answers: tally,
    outageMedianMs: Math.round(ms[Math.floor(ms.length / 2)] ?? 0),
    outageSlowestMs: Math.round(ms.at(-1) ?? 0),
  };
}

function expectOnly503WithRetryAfter(seen: readonly Seen[]): void {
  const outage = seen.filter((s) => s.duringOutage);
  expect(outage.filter((s) => s.answer !== '200' && s.answer !== '503 store_unavailable')).toEqual([]);
  expect(outage.filter((s) => s.answer === '503 store_unavailable' && s.retryAfter === null)).toEqual([]);
  expect(outage.filter((s) => s.answer === '503 store_unavailable').length).toBeGreaterThan(outage.length / 2);
  // Bounded: one session-store time limit (1 s) and a margin for a busy machine, never the
  // client's 5 s or a hang. A connection error (Express destroying the socket) counts as a failure.
  expect(Math.max(...outage.map((s) => s.ms))).toBeLessThan(4_000);
  // The load really met the outage (about 70 requests in 4 s when each waits the 1 s limit).
  expect(outage.length).toBeGreaterThan(20);
}

let cluster: Cluster;

describe.skipIf(skipRedis || skipOnExpress4)('fault: Redis down or hanging, sessions on the same Redis', () => {
  beforeAll(async () => {
    cluster = await startCluster({ accessTokenTtlSeconds: 4, persistent: true, env: { TIMEOUT_SECONDS: '2' } });
  }, 60_000);
  afterAll(() => cluster?.close());

  it('Redis killed for 4 s under load: only 503 store_unavailable with Retry-After, quickly; back after the restart, no login lost', async () => {
    const seen = await underLoad(cluster, async (outage) => {
      await sleep(1_500);
      outage(true);
      await cluster.redis.kill();
      await sleep(4_000);
      await cluster.redis.restart();
      outage(false);
    });
    const after = await stillLoggedIn(cluster);
    report('redis down', { ...figures(seen), lostAfterwards: after.lost.length });
    expectOnly503WithRetryAfter(seen);
    expect(seen.filter((s) => !s.duringOutage && s.answer === '200').length).toBeGreaterThan(50);
    expect(seen.filter((s) => s.answer.startsWith('401'))).toEqual([]);
    expect(after.lost).toEqual([]);
    expect(cluster.instances.map(alive)).toEqual([true, true]);
  }, 60_000);

  it('Redis paused (SIGSTOP, connections open, no answer) for 4 s: 503 within the time limit, never a hang', async () => {
    const seen = await underLoad(cluster, async (outage) => {
      await sleep(1_500);
      outage(true);
      cluster.redis.pause();
      await sleep(4_000);
      cluster.redis.resume();
      outage(false);
    });
    const after = await stillLoggedIn(cluster);
    report('redis paused', { ...figures(seen), lostAfterwards: after.lost.length });
    expectOnly503WithRetryAfter(seen);
    expect(seen.filter((s) => s.answer.startsWith('401'))).toEqual([]);
    expect(after.lost).toEqual([]);
  }, 60_000);
});

describe.skipIf(skipRedis || skipOnExpress4)('fault: starting while Redis is down', () => {
  it('the README setup listens at once, answers 503 with Retry-After until Redis is there, then serves', async () => {
    const redisPort = await freePort();
    const env = {
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      PROVIDER_URL: 'http://127.0.0.1:9',
      CLIENT_ID: 'c',
      CLIENT_SECRET: 's',
      CALLBACK_URL: 'http://127.0.0.1:9/auth/callback',
      TOKEN_KEY: 'f'.repeat(64),
    };
    // Resolves once it prints LISTENING; with `await redis.connect()` it would never.
    const instance = await Promise.race([
      startInstance(await freePort(), env, { quiet: true }),
      sleep(20_000).then(() => undefined),
    ]);
    expect(instance, 'the instance listens while Redis is down').toBeDefined();
    const redis = await (async () => {
      try {
        // A validly signed cookie (instance.ts's secret), so express-session asks the store.
        const mac = createHmac('sha256', 'shared-session-secret').update('some-session').digest('base64');
        const user = { id: 0, cookie: `connect.sid=${encodeURIComponent(`s:some-session.${mac.replace(/=+$/, '')}`)}` };
        const down = await visit(instance!, user);
        expect(down.answer).toBe('503 store_unavailable');
        expect(down.retryAfter).toBe('1');
        const server = await startRedis({ port: redisPort });
        let up = down;
        for (let i = 0; i < 40 && up.answer.startsWith('503'); i += 1) {
          await sleep(250);
          up = await visit(instance!, user);
        }
        // Redis answers: the unknown session is no login (401), no longer an outage.
        expect(up.answer).toBe('401 no_session');
        return server;
      } finally {
        await stopInstances([instance!]);
      }
    })();
    await redis.stop();
  }, 60_000);
});
