// logoutEverywhere() revokes at the provider (RFC 7009) the tokens of every login it ends, not
// only the caller's, when the provider describes a revocation endpoint: sessions, token sets and
// the index in a real redis-server, the emulator's revocation endpoint, over HTTP.
import { RedisStore } from 'connect-redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisCoordinator, RedisTokenStore, type Hooks, type SynergyFlowOptions } from 'passport-synergyflow';
import { revocableSynergyFlowProvider, type TestBrowser } from 'passport-synergyflow/testing';
import { redisAvailable, startRedisWithClient, type RedisWithClient } from '../helpers/redis.js';
import { lastTokens, providerView, type IssuedTokens } from '../helpers/revocation.js';
import { startRig, type Rig } from '../helpers/rig.js';
import { addOtherUser } from '../helpers/users.js';

type RevokeEvent = Parameters<NonNullable<Hooks['onRevoke']>>[0];

let redis: RedisWithClient;
let rig: Rig | undefined;
const json = { accept: 'application/json' };
/** What the provider answers a thief holding revoked tokens. */
const REVOKED = { api: 401, refresh: 400, refreshError: 'invalid_grant' };

async function startRevocableRig(events: RevokeEvent[], auth: Partial<SynergyFlowOptions> = {}): Promise<Rig> {
  await redis.client.flushAll();
  rig = await startRig({
    emulator: { revocation: true, rateLimit: 100_000 },
    auth: {
      provider: revocableSynergyFlowProvider,
      hooks: { onRevoke: (event) => events.push(event) },
      tokenStore: new RedisTokenStore({ client: redis.client, encryptionKeys: ['a'.repeat(64)] }),
      coordinator: new RedisCoordinator({ client: redis.client }),
      ...auth,
    },
    session: { store: new RedisStore({ client: redis.client }) },
    routes(app, auth) {
      app.post('/sign-out-everywhere', (req, res, next) => {
        auth.logoutEverywhere(req).then((ended) => res.json({ ended }), next);
      });
      app.post('/admin/sign-out/:user', (req, res, next) => {
        auth.logoutEverywhere(String(req.params.user)).then((ended) => res.json({ ended }), next);
      });
    },
  });
  addOtherUser(rig.emulator);
  return rig;
}

/** Logs a browser in as `userId` and returns it with the tokens the emulator issued for it. */
async function login(app: Rig, userId = 1): Promise<{ browser: TestBrowser; tokens: IssuedTokens }> {
  app.emulator.approveAs(userId);
  const browser = await app.login();
  return { browser, tokens: lastTokens(app.emulator) };
}

const status = async (browser: TestBrowser): Promise<number> =>
  (await browser.request(`${rig?.url}/dashboard`, { headers: json })).status;

describe.skipIf(!redisAvailable)('logoutEverywhere() revokes every ended login at the provider', () => {
  beforeAll(async () => {
    redis = await startRedisWithClient();
  });
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });
  afterAll(async () => redis?.stop());

  it("V1: signing out of all devices revokes both sessions' tokens, not only the caller's; other users keep theirs", async () => {
    const events: RevokeEvent[] = [];
    const app = await startRevocableRig(events);
    const laptop = await login(app);
    const phone = await login(app);
    const other = await login(app, 2);
    const answer = await phone.browser.request(`${app.url}/sign-out-everywhere`, { method: 'POST', headers: json });
    expect(JSON.parse(answer.text)).toEqual({ ended: 2 });
    expect(app.emulator.counters.revoke).toBe(4);
    // The provider refuses the laptop's tokens too: a thief holding them gets nothing.
    expect(await providerView(app.emulator, laptop.tokens)).toEqual(REVOKED);
    expect(await providerView(app.emulator, phone.tokens)).toEqual(REVOKED);
    expect(await providerView(app.emulator, other.tokens)).toEqual({ api: 200, refresh: 200 });
    expect(events).toMatchObject([
      { outcome: 'success', userId: '1' },
      { outcome: 'success', userId: '1' },
    ]);
    expect(await status(laptop.browser)).toBe(401);
    expect(await status(phone.browser)).toBe(401);
    expect(await redis.client.keys('sf:tokens:*')).toHaveLength(1); // the other user's
  });

  it('V2: admin code with only the user id revokes every login of that user', async () => {
    const app = await startRevocableRig([]);
    const first = await login(app, 2);
    const second = await login(app, 2);
    const answer = await fetch(`${app.url}/admin/sign-out/2`, { method: 'POST', headers: json });
    expect(await answer.json()).toEqual({ ended: 2 });
    expect(await providerView(app.emulator, first.tokens)).toEqual(REVOKED);
    expect(await providerView(app.emulator, second.tokens)).toEqual(REVOKED);
  });

  it('V3: a revocation endpoint that fails (500) fails nothing: the logins end, the hook says so', async () => {
    const events: RevokeEvent[] = [];
    const app = await startRevocableRig(events);
    const laptop = await login(app);
    const phone = await login(app);
    app.emulator.failNext('revoke', { status: 500 }, 4);
    const answer = await phone.browser.request(`${app.url}/sign-out-everywhere`, { method: 'POST', headers: json });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ ended: 2 });
    expect(events).toMatchObject([{ outcome: 'failed' }, { outcome: 'failed' }]);
    expect(await status(laptop.browser)).toBe(401);
    expect(await status(phone.browser)).toBe(401);
    expect(await redis.client.keys('sf:tokens:*')).toEqual([]);
  });

  it('V4: a revocation endpoint that hangs does not hold the answer past revocationWaitSeconds', async () => {
    const events: RevokeEvent[] = [];
    const app = await startRevocableRig(events, { timeoutSeconds: 2, revocationWaitSeconds: 0.2 });
    const laptop = await login(app);
    const phone = await login(app);
    app.emulator.failNext('revoke', 'hang', 4);
    const answer = await laptop.browser.request(`${app.url}/sign-out-everywhere`, { method: 'POST', headers: json });
    expect(JSON.parse(answer.text)).toEqual({ ended: 2 });
    // Answered while the provider still holds all four revocations.
    expect(app.emulator.inFlight.revoke).toBe(4);
    expect(events).toEqual([]);
    expect(await status(phone.browser)).toBe(401);
    for (let i = 0; i < 200 && events.length < 2; i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(events).toMatchObject([
      { outcome: 'failed', reason: 'timeout' },
      { outcome: 'failed', reason: 'timeout' },
    ]);
  });
});
