// A logout is final on two instances sharing Redis (sessions, token store, coordinator) while a
// thief with the stolen cookie keeps session-writing requests in flight on both of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSynergyFlowEmulator, TestBrowser, type SynergyFlowEmulator } from 'passport-synergyflow/testing';
import { startInstancePair, stopInstances, type Instance } from '../helpers/processes.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';

const ROUNDS = 6;
const THIEVES = 8;
const STORES = { redis: {}, session: { SESSION_TOKENS: '1' }, 'third-party': { THIRD_PARTY_TOKENS: '1' } } as const;
type StoreName = keyof typeof STORES;

let redis: RedisServer;
let emulator: SynergyFlowEmulator;
const instances: Instance[] = [];
const pairs = {} as Record<StoreName, [string, string]>;
const json = { accept: 'application/json' };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// The instances are child processes on Express 5 whatever EXPRESS_MAJOR says.
describe.skipIf(!redisAvailable || process.env.EXPRESS_MAJOR === '4')('a logout under a thief on two instances', () => {
  beforeAll(async () => {
    redis = await startRedis();
    emulator = await startSynergyFlowEmulator({ autoApprove: true, rateLimit: 100_000 });
    for (const [name, extra] of Object.entries(STORES) as Array<[StoreName, Record<string, string>]>) {
      const started = await startInstancePair({
        emulator,
        redisUrl: redis.url,
        clientID: `th-${name}`,
        clientSecret: 'th-secret',
        tokenKey: 'd'.repeat(64),
        name,
        env: { PROFILE_TTL: '0', ...extra },
      });
      instances.push(...started);
      pairs[name] = [started[0]?.url ?? '', started[1]?.url ?? ''];
    }
  }, 90_000);

  afterAll(async () => {
    await stopInstances(instances);
    await emulator?.close();
    await redis?.stop();
  });

  for (const name of Object.keys(STORES) as StoreName[]) {
    it(`O9 (${name} token store): ${ROUNDS} logouts, ${THIEVES} thief requests in flight over both instances, none undone`, async () => {
      const [a, b] = pairs[name];
      let thiefRequests = 0;
      let sawLoginAfterLogout = 0;
      for (let round = 0; round < ROUNDS; round += 1) {
        const victim = new TestBrowser(json);
        expect((await victim.request(`${a}/auth/login`)).status).toBe(200);
        const cookie = victim.cookieHeader(a);
        const asThief = (url: string, path: string): Promise<Response> =>
          fetch(`${url}${path}`, { headers: { ...json, cookie } });
        let loggedOut = false;
        let stop = false;
        const thief = async (index: number): Promise<void> => {
          for (let i = 0; !stop; i += 1) {
            const startedAfterLogout = loggedOut;
            const url = (index + i) % 2 === 0 ? a : b;
            const answer = await asThief(url, `/stamp?ms=${Math.floor(Math.random() * 60)}`);
            const body = (await answer.json()) as { user: string | null };
            thiefRequests += 1;
            if (startedAfterLogout && body.user !== null) sawLoginAfterLogout += 1;
          }
        };
        const thieves = Array.from({ length: THIEVES }, (_, index) => thief(index));
        try {
          await sleep(40 + Math.random() * 60);
          const logout = await victim.request(`${a}/auth/logout`, { form: {}, follow: false });
          expect(logout.status).toBe(204);
          loggedOut = true;
          await sleep(200);
        } finally {
          stop = true;
          await Promise.allSettled(thieves);
        }
        for (const url of [a, b]) {
          expect(await (await asThief(url, '/whoami')).json(), `round ${round} on ${url}`).toMatchObject({
            user: null,
          });
          expect((await asThief(url, '/dashboard')).status, `round ${round} on ${url}`).toBe(401);
        }
      }
      console.log(
        `[logout-thief] two instances, ${name}: ${ROUNDS} logouts, ${thiefRequests} thief requests, ` +
          `${sawLoginAfterLogout} started after a logout answered and still saw the login in flight`,
      );
      expect(thiefRequests).toBeGreaterThan(ROUNDS * THIEVES);
    }, 90_000);
  }
});
