// A logout is final under a thief's load: many session-writing requests in flight with a stolen
// cookie, on every kind of token store, with sessions in a real Redis (connect-redis), whose round
// trips leave the time a request in flight needs to write a logged-out session back. The two
// instance version is test/redis/logout-thief.test.ts.
import { RedisStore } from 'connect-redis';
import type { RedisClientType } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisTokenStore, type TokenStore } from 'passport-synergyflow';
import { redisAvailable, startRedisWithClient, type RedisWithClient } from '../helpers/redis.js';
import { startRig, type Rig } from '../helpers/rig.js';
import { memoryKeyValue, ThirdPartyTokenStore } from '../helpers/third-party-store.js';

const ROUNDS = 8;
const THIEVES = 8;
const json = { accept: 'application/json' };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let redis: RedisWithClient | undefined;
let client: RedisClientType | undefined;
let rig: Rig | undefined;

beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startRedisWithClient();
  client = redis.client;
});
afterEach(async () => rig?.close());
afterAll(async () => redis?.stop());

const stores: Record<string, () => TokenStore | undefined> = {
  session: () => undefined,
  redis: () => (client ? new RedisTokenStore({ client }) : undefined),
  'third-party': () => new ThirdPartyTokenStore(memoryKeyValue()),
};

/** A "last seen" stamp: loads the session, works a moment, writes the session back. */
function stampRoutes(rigApp: Rig['app']): void {
  rigApp.get('/stamp', (req, res) => {
    setTimeout(
      () => {
        (req.session as unknown as Record<string, unknown>).lastSeen = Date.now();
        res.json({ user: req.user ? 'someone' : null });
      },
      Number(req.query.ms ?? 0),
    );
  });
  rigApp.get('/whoami', (req, res) => void res.json({ user: req.user ?? null }));
}

describe.skipIf(!redisAvailable)('a logout under a thief keeping session writes in flight (one instance)', () => {
  for (const [name, makeStore] of Object.entries(stores)) {
    it(`O8 (${name} token store): ${ROUNDS} logouts, ${THIEVES} thief requests in flight each, none undone`, async () => {
      const tokenStore = makeStore();
      rig = await startRig({
        auth: { ...(tokenStore ? { tokenStore } : {}), profileTtlSeconds: 0 },
        session: { store: new RedisStore({ client: client as RedisClientType, prefix: `thief-${name}:` }) },
        routes: (app) => stampRoutes(app),
      });
      const current = rig;
      let thiefRequests = 0;
      let sawLoginAfterLogout = 0;
      for (let round = 0; round < ROUNDS; round += 1) {
        const victim = await current.login();
        const cookie = victim.cookieHeader(current.url);
        const asThief = (path: string): Promise<Response> =>
          fetch(`${current.url}${path}`, { headers: { ...json, cookie } });
        let loggedOut = false;
        let stop = false;
        const thief = async (): Promise<void> => {
          while (!stop) {
            const startedAfterLogout = loggedOut;
            const answer = await asThief(`/stamp?ms=${Math.floor(Math.random() * 40)}`);
            const body = (await answer.json()) as { user: string | null };
            thiefRequests += 1;
            if (startedAfterLogout && body.user !== null) sawLoginAfterLogout += 1;
          }
        };
        const thieves = Array.from({ length: THIEVES }, thief);
        await sleep(30 + Math.random() * 40);
        const logout = await victim.request(`${current.url}/auth/logout`, { form: {}, follow: false });
        expect(logout.status).toBe(303);
        loggedOut = true;
        await sleep(150);
        stop = true;
        await Promise.all(thieves);
        // Whatever was in flight, the stolen cookie is logged out, for req.user and requireUser().
        expect(await (await asThief('/whoami')).json(), `round ${round}`).toEqual({ user: null });
        expect((await asThief('/dashboard')).status, `round ${round}`).toBe(401);
        expect((await victim.request(`${current.url}/dashboard`, { headers: json })).status).toBe(401);
      }
      console.log(
        `[logout-thief] ${name}: ${ROUNDS} logouts, ${thiefRequests} thief requests, ` +
          `${sawLoginAfterLogout} started after a logout answered and still saw the login in flight`,
      );
      expect(thiefRequests).toBeGreaterThan(ROUNDS * THIEVES);
    }, 60_000);
  }
});
