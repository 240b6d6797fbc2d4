import { createClient } from 'redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSynergyFlowEmulator, TestBrowser, type SynergyFlowEmulator } from 'passport-synergyflow/testing';
import { freePort, startInstance, stopInstances, type Instance } from '../helpers/processes.js';
import { skipRedis, startRedis, type RedisServer } from '../helpers/redis.js';

const TOKEN_KEY = 'a'.repeat(64);
let redis: RedisServer;
let emulator: SynergyFlowEmulator;
const instances: Instance[] = [];
let urls: string[] = [];
let lockless: string[] = [];

const json = { accept: 'application/json' };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skipRedis)('several instances sharing Redis', () => {
  beforeAll(async () => {
    redis = await startRedis();
    emulator = await startSynergyFlowEmulator({ autoApprove: true, accessTokenTtlSeconds: 2, rateLimit: 100_000 });
    const ports = [await freePort(), await freePort()];
    const callbackURL = `http://127.0.0.1:${ports[0]}/auth/callback`;
    emulator.registerClient({ clientID: 'lb-client', clientSecret: 'lb-secret', redirectURIs: [callbackURL] });
    const env = {
      REDIS_URL: redis.url,
      PROVIDER_URL: emulator.url,
      CLIENT_ID: 'lb-client',
      CLIENT_SECRET: 'lb-secret',
      CALLBACK_URL: callbackURL,
      TOKEN_KEY,
      PROFILE_TTL: '0',
    };
    const start = async (name: string, port: number, extra: Record<string, string> = {}): Promise<string> => {
      const instance = await startInstance(port, { ...env, ...extra, INSTANCE: name });
      instances.push(instance);
      return instance.url;
    };
    urls = await Promise.all([start('A', ports[0] ?? 0), start('B', ports[1] ?? 0)]);
    lockless = await Promise.all([
      start('C', await freePort(), { NO_LOCK: '1' }),
      start('D', await freePort(), { NO_LOCK: '1' }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await stopInstances(instances);
    await emulator?.close();
    await redis?.stop();
  });

  /**
   * Tokens issued from now on live a minute (until the next test), so the burst that follows
   * costs one refresh however long a busy machine takes to answer it: a 2 s token refreshed at
   * the start of a slow burst would fall due again before its end.
   */
  function longLivedRefreshes(): void {
    emulator.setLifetimes({ accessToken: 60 });
  }
  beforeEach(() => emulator.setLifetimes({ accessToken: 2 }));

  async function login(): Promise<TestBrowser> {
    const browser = new TestBrowser(json);
    const end = await browser.request(`${urls[0]}/auth/login`);
    expect(end.status, browser.history.map((a) => `${a.status} ${a.url}`).join('\n')).toBe(200);
    return browser;
  }

  it('F7: 40 concurrent requests with an expired token, over both instances, cost exactly one refresh grant', async () => {
    const browser = await login();
    await sleep(1100);
    emulator.resetCounters();
    // A provider 300 ms away: both instances are mid-refresh at once unless the lock serialises them.
    emulator.latencyMs.token = 300;
    longLivedRefreshes();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => browser.request(`${urls[i % 2]}/dashboard`)),
    );
    // A failure names each answer that is not a 200, with its body (which 503 it was).
    expect(answers.map((a) => (a.status === 200 ? 200 : `${a.status} ${a.text.slice(0, 200)}`))).toEqual(
      Array(40).fill(200),
    );
    expect(new Set(answers.map((a) => (JSON.parse(a.text) as { instance: string }).instance))).toEqual(
      new Set(['A', 'B']),
    );
    expect(emulator.counters.refreshGrants).toBe(1);
    emulator.latencyMs.token = 0;
  }, 30_000);

  it('without a lock, the loser of a rotation race re-reads the store and adopts the tokens of the winner', async () => {
    const browser = await login();
    await sleep(1100);
    emulator.resetCounters();
    emulator.latencyMs.token = 300;
    longLivedRefreshes();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => browser.request(`${lockless[i % 2]}/dashboard`)),
    );
    emulator.latencyMs.token = 0;
    // Each instance refreshed once; the second rotation got invalid_grant, re-read, and adopted.
    expect(emulator.counters.refreshGrants).toBe(2);
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
  }, 30_000);

  it('a refresh done by one instance is used by the other', async () => {
    const browser = await login();
    await sleep(1100);
    emulator.resetCounters();
    expect((await browser.request(`${urls[0]}/dashboard`)).status).toBe(200);
    expect(emulator.counters.refreshGrants).toBe(1);
    // The old access token is revoked by the rotation: B's 200 proves it used A's new one.
    expect((await browser.request(`${urls[1]}/dashboard`)).status).toBe(200);
    expect(emulator.counters.refreshGrants).toBe(1);
  }, 30_000);

  it('S9: a slow request on one instance cannot overwrite the refresh token the other rotated', async () => {
    const browser = await login();
    const slow = browser.request(`${urls[0]}/slow?ms=2500`);
    await sleep(1200);
    emulator.resetCounters();
    expect((await browser.request(`${urls[1]}/dashboard`)).status).toBe(200);
    expect(emulator.counters.refreshGrants).toBe(1);
    expect((await slow).status).toBe(200);
    await sleep(1100);
    expect((await browser.request(`${urls[0]}/dashboard`)).status).toBe(200);
    expect(emulator.counters.refreshGrants).toBe(2);
  }, 30_000);

  /** Starts a login on A and lets the emulator approve it; returns the unvisited callback link. */
  async function callbackLink(browser: TestBrowser): Promise<string> {
    const start = await browser.request(`${urls[0]}/auth/login?returnTo=%2Fwhoami`, { follow: false });
    return (await browser.request(start.location ?? '', { follow: false })).location ?? '';
  }

  const sessionCookie = (answer: { headers: Headers }): string | undefined =>
    /connect\.sid=([^;]+)/.exec(answer.headers.get('set-cookie') ?? '')?.[1];

  it('C23 across instances: a double click sent to both instances redeems the code once; both follow one login', async () => {
    const browser = new TestBrowser(json);
    const link = await callbackLink(browser);
    emulator.resetCounters();
    // A provider 300 ms away: the click on B arrives while A is still redeeming the code.
    emulator.latencyMs.token = 300;
    const [onA, onB] = await Promise.all([
      browser.request(link, { follow: false }),
      sleep(50).then(() => browser.request(link.replace(urls[0] ?? '', urls[1] ?? ''), { follow: false })),
    ]);
    emulator.latencyMs.token = 0;
    // A second redemption would have revoked the first one's tokens (the emulator does, as
    // RFC 6749 section 4.1.2 asks).
    expect(emulator.counters.authorizationCodeGrants).toBe(1);
    expect([onA.status, onB.status]).toEqual([303, 303]);
    const path = (location: string | undefined): string => new URL(location ?? '', 'http://x').pathname;
    expect([path(onA.location), path(onB.location)]).toEqual(['/whoami', '/whoami']);
    expect(sessionCookie(onA)).toBeDefined();
    expect(sessionCookie(onB)).toBe(sessionCookie(onA));
    for (const url of urls) expect((await browser.request(`${url}/dashboard`)).status).toBe(200);
  }, 30_000);

  it('C23 across instances: a reload sent to the other instance after the login finished follows it', async () => {
    const browser = new TestBrowser(json);
    const link = await callbackLink(browser);
    const before = browser.cookieHeader(link);
    emulator.resetCounters();
    // The first answer never reaches the browser (it reloaded): its new session cookie is lost.
    const first = await fetch(link, { headers: { cookie: before }, redirect: 'manual' });
    expect(first.status).toBe(303);
    const reload = await fetch(link.replace(urls[0] ?? '', urls[1] ?? ''), {
      headers: { cookie: before, accept: 'application/json' },
      redirect: 'manual',
    });
    expect(reload.status).toBe(303);
    expect(new URL(reload.headers.get('location') ?? '', urls[1]).pathname).toBe('/whoami');
    expect(sessionCookie(reload)).toBe(sessionCookie(first));
    expect(emulator.counters.authorizationCodeGrants).toBe(1);
    // Only that browser may follow: the link alone, in another browser, gets no login.
    const stranger = await fetch(link.replace(urls[0] ?? '', urls[1] ?? ''), {
      headers: { accept: 'application/json' },
      redirect: 'manual',
    });
    expect(stranger.status).toBe(400);
    expect(sessionCookie(stranger)).toBeUndefined();
    expect(emulator.counters.authorizationCodeGrants).toBe(1);
  }, 30_000);

  it('C23 across instances: when the first callback fails after redeeming the code, the second fails too instead of redeeming it again', async () => {
    const browser = new TestBrowser(json);
    const link = await callbackLink(browser);
    emulator.resetCounters();
    emulator.latencyMs.token = 300;
    // The code is redeemed, then the profile load fails: the login does not finish.
    emulator.failNext('user', { status: 500 });
    const [onA, onB] = await Promise.all([
      browser.request(link, { follow: false }),
      sleep(50).then(() => browser.request(link.replace(urls[0] ?? '', urls[1] ?? ''), { follow: false })),
    ]);
    emulator.latencyMs.token = 0;
    expect(emulator.counters.authorizationCodeGrants).toBe(1);
    expect(onA.status).toBeGreaterThanOrEqual(400);
    expect(onB.status).toBe(400);
    expect(JSON.parse(onB.text)).toMatchObject({ error: { code: 'SF_LOGIN_FAILED' } });
  }, 30_000);

  it('two tabs of one browser finishing their logins at once on A and B both log in', async () => {
    const browser = new TestBrowser(json);
    const links = [await callbackLink(browser), await callbackLink(browser)];
    emulator.resetCounters();
    emulator.latencyMs.token = 200;
    const answers = await Promise.all([
      browser.request(links[0] ?? '', { follow: false }),
      browser.request((links[1] ?? '').replace(urls[0] ?? '', urls[1] ?? ''), { follow: false }),
    ]);
    emulator.latencyMs.token = 0;
    expect(answers.map((a) => a.status)).toEqual([303, 303]);
    expect(emulator.counters.authorizationCodeGrants).toBe(2);
    for (const url of urls) expect((await browser.request(`${url}/dashboard`)).status).toBe(200);
  }, 30_000);

  it('keeps tokens at rest encrypted (AES-256-GCM)', async () => {
    await login();
    const client = createClient({ url: redis.url });
    await client.connect();
    const keys = await client.keys('sf:tokens:*');
    expect(keys.length).toBeGreaterThan(0);
    const secrets = emulator.issuedSecrets();
    for (const key of keys) {
      const data = await client.hGet(key, 'd');
      expect(data).toMatch(/^sf2\./);
      for (const secret of secrets) expect(data).not.toContain(secret);
    }
    const sessions = await client.keys('sess:*');
    for (const key of sessions) {
      const blob = (await client.get(key)) ?? '';
      for (const secret of secrets) expect(blob).not.toContain(secret);
    }
    await client.quit();
  });
});
