import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest, type RawAnswer } from '../helpers/raw-http.js';
import { startRig, type Rig } from '../helpers/rig.js';

// GET /auth/session over HTTP, on one fake clock for app and emulator: what a single-page app
// reads to render itself. No answer may say "logged in" when the next API call needs a login.
let rig: Rig;
afterEach(async () => rig?.close());

const DAY = 86_400;

async function sessionRig(antiForgery = false): Promise<Rig> {
  return startRig({
    clock: true,
    auth: antiForgery ? { antiForgery: true } : {},
    routes(app, auth) {
      app.use('/auth', auth.sessionRouter());
    },
  });
}

function session(cookie: string, headers: Record<string, string> = { 'x-csrf': '1' }): Promise<RawAnswer> {
  return rawRequest(rig.url, 'GET', '/auth/session', {
    ...(cookie ? { cookie } : {}),
    accept: 'application/json',
    'sec-fetch-mode': 'cors',
    ...headers,
  });
}

const calls = (): number => rig.emulator.counters.token + rig.emulator.counters.user + rig.emulator.counters.api;

describe('auth.sessionRouter(): GET /session', () => {
  it('says who is logged in and when the tokens end, without a provider call and without tokens', async () => {
    rig = await sessionRig();
    const anonymous = await session('');
    expect(anonymous.status).toBe(200);
    expect(anonymous.json()).toEqual({ loggedIn: false, health: 'login_required' });
    const cookie = (await rig.login()).cookieHeader(rig.url);
    const before = calls();
    const answer = await session(cookie);
    expect(answer.headers['cache-control']).toBe('no-store');
    const now = rig.clock?.now() ?? 0;
    expect(answer.json()).toEqual({
      loggedIn: true,
      health: 'ok',
      user: { provider: 'synergyflow', id: '1', name: 'Test User', email: expect.any(String), emailVerified: true },
      profile: expect.objectContaining({ id: '1', name: 'Test User' }),
      accessTokenExpiresAt: new Date(now + 15 * DAY * 1000).toISOString(),
      loginExpiresAt: new Date(now + 30 * DAY * 1000).toISOString(),
    });
    expect(calls()).toBe(before);
    const text = answer.body.toString('utf8');
    for (const secret of rig.emulator.issuedSecrets()) expect(text).not.toContain(secret);
  });

  it('reports a due refresh as refresh_due, and an ended login as not logged in', async () => {
    rig = await sessionRig();
    const cookie = (await rig.login()).cookieHeader(rig.url);
    rig.clock?.advance(15 * DAY - 30); // inside the 60 s skew before expiry
    expect(await session(cookie).then((a) => a.json())).toMatchObject({ loggedIn: true, health: 'refresh_due' });
    rig.clock?.advance(60); // expired; the refresh token still lives
    expect(await session(cookie).then((a) => a.json())).toMatchObject({ loggedIn: true, health: 'refresh_due' });
    rig.clock?.advance(16 * DAY); // the refresh token too: nothing can renew the login
    expect(await session(cookie).then((a) => a.json())).toEqual({ loggedIn: false, health: 'login_required' });
    expect(rig.emulator.counters.token).toBe(1); // the login's code exchange, nothing since
    // And it is right: the next API call does need a login.
    const me = await rawRequest(rig.url, 'GET', '/dashboard', { cookie, accept: 'application/json' });
    expect(me.status).toBe(401);
  });

  it('says refresh_refused once the provider refused the refresh, not "logged in"', async () => {
    rig = await sessionRig();
    const cookie = (await rig.login()).cookieHeader(rig.url);
    rig.emulator.revokeAllTokens();
    rig.clock?.advance(15 * DAY);
    const refused = await rawRequest(rig.url, 'GET', '/dashboard', { cookie, accept: 'application/json' });
    expect(refused.json()).toMatchObject({ error: { code: 'SF_LOGIN_REQUIRED', reason: 'refresh_refused' } });
    expect(await session(cookie).then((a) => a.json())).toEqual({ loggedIn: false, health: 'refresh_refused' });
  });

  it("shows the app's own user (verify), or what the user option picks", async () => {
    rig = await startRig({
      clock: true,
      auth: { verify: (profile) => ({ id: `app-${profile.id}`, name: profile.name.toUpperCase() }) },
      routes(app, auth) {
        app.use('/auth', auth.sessionRouter());
        app.use('/picked', auth.sessionRouter({ user: (req) => ({ picked: req.sessionID.length > 0 }) }));
      },
    });
    const cookie = (await rig.login()).cookieHeader(rig.url);
    expect(await session(cookie).then((a) => a.json())).toMatchObject({
      loggedIn: true,
      user: { id: 'app-1', name: 'TEST USER' },
      profile: { id: '1', name: 'Test User' },
    });
    const picked = await rawRequest(rig.url, 'GET', '/picked/session', { cookie, accept: 'application/json' });
    expect(picked.json()).toMatchObject({ loggedIn: true, user: { picked: true } });
    // Such a login outlives refused tokens (the app's user stays); the session says so.
    rig.emulator.revokeAllTokens();
    rig.clock?.advance(15 * DAY);
    await rawRequest(rig.url, 'GET', '/dashboard', { cookie, accept: 'application/json' });
    expect(await session(cookie).then((a) => a.json())).toEqual({ loggedIn: false, health: 'refresh_refused' });
  });

  it('says not logged in after a logout', async () => {
    rig = await sessionRig();
    const browser = await rig.login();
    await browser.request(`${rig.url}/auth/logout`, { form: {} });
    expect(await session(browser.cookieHeader(rig.url)).then((a) => a.json())).toEqual({
      loggedIn: false,
      health: 'login_required',
    });
  });

  it('with antiForgery, refuses a fetch() without the header and answers a navigation', async () => {
    rig = await sessionRig(true);
    const cookie = (await rig.login()).cookieHeader(rig.url);
    const refused = await session(cookie, {});
    expect(refused.status).toBe(403);
    expect(refused.json()).toMatchObject({ error: { reason: 'missing_anti_forgery_header' } });
    expect((await session(cookie)).status).toBe(200);
    const navigation = await session(cookie, { 'sec-fetch-mode': 'navigate', accept: 'text/html' });
    expect(navigation.status).toBe(200);
  });
});
