// A token set in Redis expires with the session that references it: an abandoned session leaves
// nothing behind once it has expired, a rolling session in use keeps its tokens however long it
// lives, ordinary requests cost the token store no Redis call, and logouts leave no token key.
import { RedisStore } from 'connect-redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisCoordinator, RedisTokenStore } from 'passport-synergyflow';
import type { TestBrowser } from 'passport-synergyflow/testing';
import { redisAvailable, startRedisWithClient, type RedisWithClient } from '../helpers/redis.js';
import { startRig, type Rig } from '../helpers/rig.js';

let redis: RedisWithClient;
let rig: Rig | undefined;
const json = { accept: 'application/json' };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An app keeping sessions (connect-redis), tokens and the coordinator's notes in one Redis. */
async function startRedisRig(maxAgeMs: number | undefined): Promise<Rig> {
  await redis.client.flushAll();
  rig = await startRig({
    emulator: { rateLimit: 100_000 },
    auth: {
      tokenStore: new RedisTokenStore({ client: redis.client, encryptionKeys: ['f'.repeat(64)] }),
      coordinator: new RedisCoordinator({ client: redis.client }),
    },
    session: {
      store: new RedisStore({ client: redis.client }),
      rolling: true,
      cookie: { httpOnly: true, sameSite: 'lax', ...(maxAgeMs === undefined ? {} : { maxAge: maxAgeMs }) },
    },
    routes(app, auth) {
      // A page that needs the user, not the token: what most requests of a logged-in user are.
      app.get('/me', auth.requireUser(), (req, res) => void res.json({ name: req.synergyflow?.profile?.name }));
      app.post('/sign-out-everywhere', (req, res, next) => {
        auth.logoutEverywhere(req).then((ended) => res.json({ ended }), next);
      });
    },
  });
  return rig;
}

const tokenKeys = (): Promise<string[]> => redis.client.keys('sf:tokens:*');
const sessionKeys = (): Promise<string[]> => redis.client.keys('sess:*');
const status = async (browser: TestBrowser, path: string): Promise<number> =>
  (await browser.request(`${rig?.url}${path}`, { headers: json })).status;

describe.skipIf(!redisAvailable)('token sets in Redis expire with their session', () => {
  beforeAll(async () => {
    redis = await startRedisWithClient();
  });
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });
  afterAll(async () => redis?.stop());

  it('K1: an abandoned session leaves no token key once it has expired (maxAge 3 s, margin 2 s)', async () => {
    const app = await startRedisRig(3_000);
    const browser = await app.login();
    expect(await status(browser, '/dashboard')).toBe(200);
    const [key] = await tokenKeys();
    expect(key).toBeDefined();
    // Written to live as long as the session plus its margin, not the refresh token's 30 days.
    const ttl = await redis.client.pTTL(key as string);
    expect(ttl).toBeGreaterThan(3_000);
    expect(ttl).toBeLessThanOrEqual(5_000);
    await sleep(5_300);
    expect(await sessionKeys()).toEqual([]);
    expect(await tokenKeys()).toEqual([]);
  }, 20_000);

  it("K2: a rolling session in use for three times its token set's first lifetime keeps its tokens", async () => {
    const app = await startRedisRig(3_000);
    const browser = await app.login();
    const started = Date.now();
    // 15 s of use, a request every 400 ms: the token set was first written to live 5 s.
    while (Date.now() - started < 15_000) {
      expect(await status(browser, '/me')).toBe(200);
      await sleep(400);
    }
    // The page that uses the token reads it from Redis: still there, and no refresh was needed.
    expect(await status(browser, '/dashboard')).toBe(200);
    expect(app.emulator.counters.refreshGrants).toBe(0);
    expect(await tokenKeys()).toHaveLength(1);
  }, 30_000);

  it('K3: 200 ordinary requests of a one-hour session cost the token store no Redis call', async () => {
    const app = await startRedisRig(3_600_000);
    const browser = await app.login();
    expect(await status(browser, '/me')).toBe(200);
    const watcher = redis.client.duplicate();
    await watcher.connect();
    const tokenCommands: string[] = [];
    const all: string[] = [];
    await watcher.monitor((line) => {
      all.push(line);
      if (line.includes('sf:tokens:')) tokenCommands.push(line);
    });
    for (let i = 0; i < 200; i += 1) expect(await status(browser, '/me')).toBe(200);
    await sleep(100);
    watcher.destroy(); // a monitoring connection answers no QUIT
    console.log(`[token-expiry] 200 requests: ${all.length} Redis commands, ${tokenCommands.length} on token sets`);
    expect(all.length).toBeGreaterThanOrEqual(200); // the session store's own (GET, EXPIRE): monitoring works
    expect(tokenCommands).toEqual([]);
  }, 30_000);

  it('K4: logout and logoutEverywhere leave no token key and no logged-in session; bytes per user measured', async () => {
    const app = await startRedisRig(undefined); // no maxAge: connect-redis's ttl (1 day) is the session's
    const first = await app.login();
    const second = await app.login();
    const third = await app.login();
    for (const browser of [first, second, third]) expect(await status(browser, '/me')).toBe(200);
    const keys = await tokenKeys();
    expect(keys).toHaveLength(3);
    const ttl = await redis.client.pTTL(keys[0] as string);
    expect(ttl).toBeGreaterThan(86_400_000);
    expect(ttl).toBeLessThanOrEqual(86_400_000 + 3_600_000);
    // What a user keeps: the data (session JSON; the token set's fields) and Redis's MEMORY USAGE.
    const [session] = await sessionKeys();
    const [tokens] = keys;
    const [index] = await redis.client.keys('sf:index:*');
    const data = [
      await redis.client.strLen(session as string),
      Number(await redis.client.hStrLen(tokens as string, 'd')) +
        Number(await redis.client.hStrLen(tokens as string, 'v')),
    ];
    const memory = await Promise.all([session, tokens, index].map((key) => redis.client.memoryUsage(key as string)));
    console.log(
      `[token-expiry] bytes per user: data session ${data[0]}, token set ${data[1]}; MEMORY USAGE session ${memory[0]}, token set ${memory[1]}, index of 3 logins ${memory[2]}`,
    );
    const loggedOut = await first.request(`${app.url}/auth/logout`, { method: 'POST', form: {}, headers: json });
    expect(loggedOut.status).toBe(204);
    expect(await tokenKeys()).toHaveLength(2);
    const everywhere = await second.request(`${app.url}/sign-out-everywhere`, { method: 'POST', headers: json });
    expect(JSON.parse(everywhere.text)).toEqual({ ended: 2 });
    expect(await tokenKeys()).toEqual([]);
    // What is left are the sessions the logouts regenerated, holding no login.
    const left = await Promise.all((await sessionKeys()).map((key) => redis.client.get(key)));
    expect(left.filter((data) => data?.includes('"sub"'))).toEqual([]);
    expect(await status(third, '/me')).toBe(401);
  });
});
