import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSynergyFlowEmulator, TestBrowser, type SynergyFlowEmulator } from 'passport-synergyflow/testing';
import { freePort, startInstance, stopInstances, type Instance } from '../helpers/processes.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer;
let emulator: SynergyFlowEmulator;
const instances: Instance[] = [];
/** Two instances per token store, each pair on its own callback origin. */
const pairs: Record<'redis' | 'session', string[]> = { redis: [], session: [] };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const sidOf = (cookie: string): string => decodeURIComponent(/\bsid=s%3A([^.]+)/.exec(cookie)?.[1] ?? '');

// The instances are child processes on Express 5 whatever EXPRESS_MAJOR says, so the Express 4
// run would repeat the same processes (as package.json's test:express4 does for instances.test.ts).
describe.skipIf(!redisAvailable || process.env.EXPRESS_MAJOR === '4')('logout across instances sharing Redis', () => {
  beforeAll(async () => {
    redis = await startRedis();
    emulator = await startSynergyFlowEmulator({ autoApprove: true, rateLimit: 100_000 });
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const callbacks = [ports[0], ports[2]].map((port) => `http://127.0.0.1:${port}/auth/callback`);
    emulator.registerClient({ clientID: 'lo-client', clientSecret: 'lo-secret', redirectURIs: callbacks });
    const start = async (name: string, port: number, callbackURL: string, extra: Record<string, string>) => {
      const instance = await startInstance(port, {
        REDIS_URL: redis.url,
        PROVIDER_URL: emulator.url,
        CLIENT_ID: 'lo-client',
        CLIENT_SECRET: 'lo-secret',
        CALLBACK_URL: callbackURL,
        TOKEN_KEY: 'c'.repeat(64),
        PROFILE_TTL: '0',
        INSTANCE: name,
        ...extra,
      });
      instances.push(instance);
      return instance.url;
    };
    const [a, b, c, d] = await Promise.all([
      start('A', ports[0] ?? 0, callbacks[0] ?? '', {}),
      start('B', ports[1] ?? 0, callbacks[0] ?? '', {}),
      start('C', ports[2] ?? 0, callbacks[1] ?? '', { SESSION_TOKENS: '1' }),
      start('D', ports[3] ?? 0, callbacks[1] ?? '', { SESSION_TOKENS: '1' }),
    ]);
    pairs.redis = [a ?? '', b ?? ''];
    pairs.session = [c ?? '', d ?? ''];
  }, 60_000);

  afterAll(async () => {
    await stopInstances(instances);
    await emulator?.close();
    await redis?.stop();
  });

  for (const store of ['redis', 'session'] as const) {
    it(`O6: a request in flight on B cannot undo a logout done on A (${store} token store)`, async () => {
      const [a = '', b = ''] = pairs[store];
      const browser = new TestBrowser({ accept: 'application/json' });
      expect((await browser.request(`${a}/auth/login`)).status).toBe(200);
      const oldCookie = browser.cookieHeader(a);
      const asOld = async (url: string, path: string): Promise<Response> =>
        fetch(`${url}${path}`, { headers: { cookie: oldCookie, accept: 'application/json' } });
      expect(await (await asOld(b, '/whoami')).json()).toMatchObject({ user: 'Test User' });
      // B loads the logged-in session, then works for 1.5 s; meanwhile the user logs out on A. The
      // logout waits until B's request is past requireUser() (a fixed pause was not enough on a
      // busy machine: B then loaded the session after the logout, and answered 401).
      const started = async (): Promise<number> =>
        ((await (await fetch(`${b}/slow-started`)).json()) as { count: number }).count;
      const before = await started();
      const slow = asOld(b, '/slow?ms=1500');
      for (let waited = 0; (await started()) === before && waited < 10_000; waited += 25) await sleep(25);
      const logout = await browser.request(`${a}/auth/logout`, { form: {}, follow: false });
      expect(logout.status).toBe(204); // a JSON client gets 204, a form 303
      const late = await slow;
      expect(late.status).toBe(200);
      await late.text(); // express-session sends the head before its save ends
      // The old cookie (stolen, say) is logged out on both instances, and stays so.
      for (const url of [a, b]) {
        expect(await (await asOld(url, '/whoami')).json()).toMatchObject({ user: null });
        expect((await asOld(url, '/dashboard')).status).toBe(401);
      }
      const client = createClient({ url: redis.url });
      await client.connect();
      expect(await client.exists(`sess:${sidOf(oldCookie)}`)).toBe(0);
      await client.quit();
    }, 30_000);
  }
});
