// Redis Sentinel with no master left to fail over to (master and replica dead): node-redis's
// Sentinel client gives up with plain errors ("no valid master node"), by default after 16
// rounds of rediscovery, one a second. Those are store outages like any lost connection: 503
// store_unavailable with Retry-After from errorHandler() (a session store without the guard) and
// from guardSessionStore() (when the client gives up before the guard's time limit), never a 500.
// The client here gives up after one round, so the test does not wait 16 s.
import { createHmac } from 'node:crypto';
import { RedisStore } from 'connect-redis';
import { createSentinel } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardSessionStore, isTemporarilyUnavailableError } from 'passport-synergyflow';
import { skipRedis } from '../helpers/redis.js';
import { runClusterTests } from '../helpers/redis-cluster.js';
import { SENTINEL_MASTER_NAME, startRedisSentinel, type RedisSentinel } from '../helpers/redis-sentinel.js';
import { startRig, type Rig } from '../helpers/rig.js';

let deployment: RedisSentinel;
let client: ReturnType<typeof createSentinel>;
let rig: Rig;

/** A cookie the rig's express-session accepts as signed, so it asks the store for the session. */
function signedCookie(id: string): string {
  const mac = createHmac('sha256', 'rig-session-secret').update(id).digest('base64').replace(/=+$/, '');
  return `sid=${encodeURIComponent(`s:${id}.${mac}`)}`;
}

describe.skipIf(skipRedis || !runClusterTests)('Redis Sentinel with no master to fail over to', () => {
  beforeAll(async () => {
    deployment = await startRedisSentinel();
    client = createSentinel({
      name: SENTINEL_MASTER_NAME,
      sentinelRootNodes: deployment.sentinels,
      maxCommandRediscovers: 1,
    });
    client.on('error', () => undefined); // reconnects by itself; errors reach the commands
    await client.connect();
    // The session store without guardSessionStore(): errorHandler() alone must answer its outages.
    rig = await startRig({ session: { store: new RedisStore({ client }) } });
    await deployment.killMaster();
    await deployment.killReplica();
  }, 30_000);
  afterAll(async () => {
    await rig?.close();
    await client?.destroy().catch(() => undefined);
    await deployment?.stop();
  });

  it('errorHandler() answers the client giving up as 503 store_unavailable with Retry-After', async () => {
    const res = await fetch(`${rig.url}/dashboard`, {
      headers: { accept: 'application/json', cookie: signedCookie('some-session') },
      signal: AbortSignal.timeout(20_000),
    });
    const body = (await res.json().catch(() => ({}))) as { error?: { reason?: string } };
    expect({ status: res.status, reason: body.error?.reason }).toEqual({ status: 503, reason: 'store_unavailable' });
    expect(res.headers.get('retry-after')).toBe('1');
  }, 30_000);

  it('guardSessionStore() answers it as store_unavailable, with the client error as its cause', async () => {
    const store = guardSessionStore(new RedisStore({ client }), { timeoutSeconds: 15 });
    const error = await new Promise<unknown>((resolve) => store.get('some-session', (e) => resolve(e)));
    expect(isTemporarilyUnavailableError(error) ? error.reason : error).toBe('store_unavailable');
    expect(String((error as Error).cause)).toMatch(/no valid master node|sentinel/i);
  }, 30_000);
});
