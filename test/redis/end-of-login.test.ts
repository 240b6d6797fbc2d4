// The end of a login on two instances sharing Redis: log out everywhere (from the user's own
// request and from admin code with only the user id), and idle and absolute lifetimes.
import type { RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSynergyFlowEmulator, TestBrowser, type SynergyFlowEmulator } from 'passport-synergyflow/testing';
import { startInstancePair, stopInstances, type Instance } from '../helpers/processes.js';
import { redisAvailable, startRedisWithClient, type RedisWithClient } from '../helpers/redis.js';
import { addOtherUser } from '../helpers/users.js';

let redis: RedisWithClient;
let client: RedisClientType;
let emulator: SynergyFlowEmulator;
const instances: Instance[] = [];
const pairs: Record<'plain' | 'lifetimes', [string, string]> = { plain: ['', ''], lifetimes: ['', ''] };
const json = { accept: 'application/json' };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const IDLE_SECONDS = 3;
const ABSOLUTE_SECONDS = 10;

async function startPair(name: keyof typeof pairs, extra: Record<string, string>): Promise<void> {
  const started = await startInstancePair({
    emulator,
    redisUrl: redis.url,
    clientID: `end-${name}`,
    clientSecret: 'end-secret',
    tokenKey: 'e'.repeat(64),
    name,
    env: extra,
  });
  instances.push(...started);
  pairs[name] = [started[0]?.url ?? '', started[1]?.url ?? ''];
}

async function login(url: string, userId = 1): Promise<TestBrowser> {
  emulator.approveAs(userId);
  const browser = new TestBrowser(json);
  expect((await browser.request(`${url}/auth/login`)).status).toBe(200);
  return browser;
}

async function status(browser: TestBrowser, url: string): Promise<number> {
  return (await browser.request(`${url}/dashboard`)).status;
}

async function tokenSetsInRedis(): Promise<number> {
  return (await client.keys('sf:tokens:*')).length;
}

describe.skipIf(!redisAvailable || process.env.EXPRESS_MAJOR === '4')('the end of a login on two instances', () => {
  beforeAll(async () => {
    redis = await startRedisWithClient();
    client = redis.client;
    emulator = await startSynergyFlowEmulator({ autoApprove: true, rateLimit: 100_000 });
    addOtherUser(emulator);
    await Promise.all([
      startPair('plain', {}),
      startPair('lifetimes', { IDLE_TIMEOUT: String(IDLE_SECONDS), ABSOLUTE_TIMEOUT: String(ABSOLUTE_SECONDS) }),
    ]);
  }, 90_000);

  afterAll(async () => {
    await stopInstances(instances);
    await emulator?.close();
    await redis?.stop();
  });

  it("E1: a user's own request signs out all their devices on both instances at once; other users stay", async () => {
    const [a, b] = pairs.plain;
    await client.flushAll();
    const laptop = await login(a);
    const phone = await login(b);
    const other = await login(a, 2);
    for (const [browser, url] of [
      [laptop, b],
      [phone, a],
      [other, b],
    ] as const) {
      expect(await status(browser, url)).toBe(200);
    }
    expect(await tokenSetsInRedis()).toBe(3);
    const indexKeys = await client.keys('sf:index:*');
    expect(indexKeys).toHaveLength(2); // one per user
    const indexBytes = await Promise.all(indexKeys.map((key) => client.memoryUsage(key)));
    console.log(`[end-of-login] index bytes per user (Redis MEMORY USAGE): ${indexBytes.join(', ')}`);

    const started = Date.now();
    const signedOut = await phone.request(`${b}/sign-out-everywhere`, { method: 'POST' });
    expect(JSON.parse(signedOut.text)).toEqual({ ended: 2 });
    for (const browser of [laptop, phone]) {
      for (const url of [a, b]) expect(await status(browser, url)).toBe(401);
    }
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await status(other, a)).toBe(200);
    // Nothing of the ended logins is left behind: their token sets and index are gone.
    expect(await tokenSetsInRedis()).toBe(1);
    expect(await client.keys('sf:index:*')).toHaveLength(1);
  });

  it('E2: admin code with only the user id ends every login of that user, on both instances', async () => {
    const [a, b] = pairs.plain;
    const first = await login(a, 2);
    const second = await login(b, 2);
    const ended = await fetch(`${a}/admin/sign-out/2`, { method: 'POST', headers: json });
    expect(await ended.json()).toEqual({ ended: 3 }); // two here, and the one left from E1
    for (const browser of [first, second]) {
      for (const url of [a, b]) expect(await status(browser, url)).toBe(401);
    }
    expect(await tokenSetsInRedis()).toBe(0);
    expect(await client.keys('sf:index:*')).toHaveLength(0);
  });

  it(
    `E3: a login idle for ${IDLE_SECONDS} s ends on every instance; one in use does not`,
    { timeout: 40_000 },
    async () => {
      const [a, b] = pairs.lifetimes;
      const idle = await login(a);
      const busy = await login(a);
      for (let waited = 0; waited < IDLE_SECONDS * 1000 + 800; waited += 500) {
        expect(await status(busy, waited % 1000 === 0 ? a : b)).toBe(200);
        await sleep(500);
      }
      const ended = await idle.request(`${b}/dashboard`);
      expect(ended.status).toBe(401);
      expect(JSON.parse(ended.text)).toMatchObject({ error: { code: 'SF_LOGIN_REQUIRED', reason: 'idle_timeout' } });
      expect(await status(idle, a)).toBe(401);
      expect(await status(busy, b)).toBe(200);
    },
  );

  it(`E4: a login older than ${ABSOLUTE_SECONDS} s ends however active it is`, async () => {
    const [a, b] = pairs.lifetimes;
    const browser = await login(a);
    const started = Date.now();
    let last = 200;
    let reason: unknown;
    while (Date.now() - started < (ABSOLUTE_SECONDS + 2) * 1000 && last === 200) {
      const answer = await browser.request(`${Date.now() % 2 === 0 ? a : b}/dashboard`);
      last = answer.status;
      if (last !== 200) reason = (JSON.parse(answer.text) as { error: { reason: string } }).error.reason;
      await sleep(400);
    }
    expect(last).toBe(401);
    expect(reason).toBe('absolute_timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual((ABSOLUTE_SECONDS - 1) * 1000);
  }, 40_000);
});
