import type { Request } from 'express';
import type { RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRefreshLock, RedisTokenStore, type TokenSet } from 'passport-synergyflow';
import { skipRedis, startRedisWithClient, type RedisWithClient } from '../helpers/redis.js';

let redis: RedisWithClient;
let client: RedisClientType;

/** A request as the store sees it: only its session matters here. */
const requestWithSession = (): Request => ({ session: {} }) as unknown as Request;
const tokens = (version: number, refreshToken = `rt-${version}`): TokenSet => ({
  accessToken: `at-${version}`,
  refreshToken,
  obtainedAt: Date.now(),
  version,
});

describe.skipIf(skipRedis)('RedisTokenStore and RedisRefreshLock on a real redis-server', () => {
  beforeAll(async () => {
    redis = await startRedisWithClient();
    client = redis.client;
  });
  afterAll(async () => redis?.stop());

  it('writes with compare-and-swap: a stale version never overwrites a newer token set', async () => {
    const store = new RedisTokenStore({ client });
    const req = requestWithSession();
    expect(await store.set(req, tokens(1), undefined)).toBe(true);
    expect(await store.set(req, tokens(2), 1)).toBe(true);
    expect(await store.set(req, tokens(2, 'stale'), 1)).toBe(false);
    expect((await store.get(req))?.refreshToken).toBe('rt-2');
  });

  it('does not write back tokens cleared meanwhile (logout)', async () => {
    const store = new RedisTokenStore({ client });
    const req = requestWithSession();
    await store.set(req, tokens(1), undefined);
    const copy = {
      session: { synergyflow: { ...(req.session as { synergyflow: object }).synergyflow } },
    } as unknown as Request;
    await store.clear(req);
    expect(await store.set(copy, tokens(2), 1)).toBe(false);
    expect(await store.get(copy)).toBeUndefined();
  });

  it('encrypts at rest and rotates keys: old data stays readable after a new key is put first', async () => {
    const oldKey = 'b'.repeat(64);
    const newKey = Buffer.alloc(32, 7).toString('base64');
    const req = requestWithSession();
    await new RedisTokenStore({ client, encryptionKeys: [oldKey] }).set(req, tokens(1), undefined);
    const rotated = new RedisTokenStore({ client, encryptionKeys: [newKey, oldKey] });
    expect((await rotated.get(req))?.accessToken).toBe('at-1');
    expect(await new RedisTokenStore({ client, encryptionKeys: [newKey] }).get(req)).toBeUndefined();
    expect(() => new RedisTokenStore({ client, encryptionKeys: ['short'] })).toThrow(/32 bytes/);
  });

  it('a missing or empty key (an unset environment variable) is a TypeError naming the option and the fix', () => {
    const unset: string | undefined = process.env.SF_TEST_TOKEN_KEY_THAT_IS_NEVER_SET;
    for (const key of [unset, '', '  ']) {
      const build = () => new RedisTokenStore({ client, encryptionKeys: [key as string] });
      expect(build).toThrow(TypeError);
      expect(build).toThrow(
        /option "encryptionKeys" has no key at index 0 .*unset environment variable.*openssl rand -hex 32/,
      );
    }
    const notAList = () => new RedisTokenStore({ client, encryptionKeys: 'b'.repeat(64) as unknown as string[] });
    expect(notAList).toThrow(/"encryptionKeys" must be a list of keys/);
  });

  it('the lock is exclusive, waits a bounded time, and is released only by its holder', async () => {
    const lock = new RedisRefreshLock({ client, lockTtlSeconds: 2 });
    const release = await lock.acquire('k', 100);
    expect(release).toBeDefined();
    const started = Date.now();
    expect(await lock.acquire('k', 200)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1000);
    const waiting = lock.acquire('k', 2000);
    await release?.();
    const second = await waiting;
    expect(second).toBeDefined();
    await release?.(); // a stale holder's release must not free the new holder's lock
    expect(await lock.acquire('k', 50)).toBeUndefined();
    await second?.();
  });
});
