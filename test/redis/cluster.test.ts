// Redis Cluster as a first-class deployment: the token store and the refresh lock on node-redis
// createCluster() against a real local cluster (three masters, three replicas) that the test
// starts; a master killed under reads answers only store outages (503 store_unavailable), and the
// token set is there after the failover. Runs where .ci/run sets REDIS_CLUSTER_TESTS=1.
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRefreshLock, RedisTokenStore, type TokenSet } from 'passport-synergyflow';
import { isStoreOutage } from '../../src/redis/store-outage.js';
import { skipRedis } from '../helpers/redis.js';
import { runClusterTests, startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';

let cluster: RedisCluster;
let client: ReturnType<typeof createCluster>;

const tokens = (version: number): TokenSet => ({
  accessToken: `at-${version}`,
  refreshToken: `rt-${version}`,
  obtainedAt: Date.now(),
  version,
});
const requestWithSession = (): { session: { synergyflow?: { tokenKey?: string } } } => ({ session: {} });

describe.skipIf(skipRedis || !runClusterTests)('Redis Cluster: three masters with replicas', () => {
  beforeAll(async () => {
    cluster = await startRedisCluster();
    client = createCluster({ rootNodes: cluster.urls.map((url) => ({ url })) });
    client.on('error', () => undefined); // reconnects by itself; errors reach the commands
    await client.connect();
  }, 60_000);
  afterAll(async () => {
    await client?.close().catch(() => undefined);
    cluster?.stop();
  });

  it('the token store (compare-and-swap) and the lock work on createCluster() as they are', async () => {
    const store = new RedisTokenStore({ client });
    const req = requestWithSession() as never;
    expect(await store.set(req, tokens(1), undefined)).toBe(true);
    expect(await store.set(req, tokens(2), 1)).toBe(true);
    expect(await store.set(req, tokens(3), 1)).toBe(false);
    expect((await store.get(req))?.refreshToken).toBe('rt-2');
    const lock = new RedisRefreshLock({ client, lockTtlSeconds: 2 });
    const release = await lock.acquire('k', 100);
    expect(release).toBeDefined();
    expect(await lock.acquire('k', 100)).toBeUndefined();
    await release?.();
  });

  it('a master killed: every failure is a store outage (503 store_unavailable), the token set survives the failover', async () => {
    const store = new RedisTokenStore({ client, commandTimeoutSeconds: 1 });
    const req = requestWithSession();
    await store.set(req as never, tokens(1), undefined);
    // Replication is asynchronous: let the replica take the write before its master dies.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await cluster.killMasterOf(`sf:tokens:${req.session.synergyflow?.tokenKey}`);
    const killedAt = performance.now();
    const failures: unknown[] = [];
    let found: TokenSet | undefined;
    while (performance.now() - killedAt < 30_000) {
      try {
        found = await store.get(req as never);
        if (failures.length > 0) break;
      } catch (error) {
        failures.push(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const windowMs = Math.round(performance.now() - killedAt);
    const kinds = [...new Set(failures.map((e) => `${(e as Error).constructor.name}: ${(e as Error).message}`))];
    console.log(`[cluster] failover: ${JSON.stringify({ windowMs, failures: failures.length, kinds })}`);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.filter((e) => !isStoreOutage(e, true))).toEqual([]);
    expect(found?.refreshToken).toBe('rt-1');
  }, 60_000);
});
