import { afterEach, describe, expect, it } from 'vitest';
import { TestBrowser } from 'passport-synergyflow/testing';
import { startRig, type Rig } from '../helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

const json = { accept: 'application/json' };
const dashboard = async (browser: TestBrowser) => {
  const answer = await browser.request(`${rig.url}/dashboard`, { headers: json });
  return { status: answer.status, body: JSON.parse(answer.text) as Record<string, unknown>, headers: answer.headers };
};

describe('refresh (requireUser)', () => {
  it('F5: an expired access token without a refresh token means log in again, with no token call', async () => {
    rig = await startRig({ clock: true });
    rig.emulator.failNext('token', {
      status: 200,
      body: { access_token: 'only-access', token_type: 'Bearer', expires_in: 120 },
    });
    rig.emulator.failNext('user', { status: 200, body: { id: 1, name: 'Test User' } });
    const browser = await rig.login(new TestBrowser(json));
    rig.emulator.resetCounters();
    // Past half its life, with nothing to refresh it with, the token still serves until it expires.
    rig.clock?.advance(70);
    rig.emulator.failNext('user', { status: 200, body: { id: 1, name: 'Test User' } });
    expect((await dashboard(browser)).status).toBe(200);
    rig.clock?.advance(51);
    const answer = await dashboard(browser);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { code: 'SF_LOGIN_REQUIRED', reason: 'access_token_expired' } });
    expect(rig.emulator.counters.token).toBe(0);
  });

  it('F8: a failing refresh of an expired token keeps the session, answers 502, and backs off', async () => {
    rig = await startRig({ clock: true, emulator: { accessTokenTtlSeconds: 120 } });
    const browser = await rig.login();
    rig.clock?.advance(121);
    rig.emulator.resetCounters();
    rig.emulator.failNext('token', { status: 500, body: '<html>down</html>' });
    const failed = await dashboard(browser);
    expect(failed.status).toBe(502);
    for (let i = 0; i < 5; i += 1) expect((await dashboard(browser)).status).toBe(502);
    expect(rig.emulator.counters.token).toBe(1);
    rig.clock?.advance(5.1); // the failure back-off
    expect((await dashboard(browser)).status).toBe(200);
    expect(rig.emulator.counters.refreshGrants).toBe(2);
  });

  it('F15: a failing refresh while the access token is still valid answers 200 with the current token', async () => {
    const served: string[] = [];
    rig = await startRig({
      clock: true,
      emulator: { accessTokenTtlSeconds: 120 },
      auth: { hooks: { onStaleTokenServed: (event) => served.push(event.outcome) } },
    });
    const browser = await rig.login();
    rig.clock?.advance(70); // past half-life and inside the skew: a refresh is due
    rig.emulator.resetCounters();
    rig.emulator.failNext('token', { status: 503, body: 'maintenance' });
    const answer = await dashboard(browser);
    expect(answer.status).toBe(200);
    expect(rig.emulator.counters.token).toBe(1);
    expect(served.length).toBeGreaterThan(0);
    expect(new Set(served)).toEqual(new Set(['SF_PROVIDER_ERROR']));
    rig.clock?.advance(5.1);
    expect((await dashboard(browser)).status).toBe(200);
    expect(rig.emulator.counters.refreshGrants).toBe(2);
  });

  it('F9: a refresh answered with HTML, no access token or token_type "mac" stores nothing', async () => {
    rig = await startRig({ clock: true, emulator: { accessTokenTtlSeconds: 120 } });
    const browser = await rig.login();
    for (const how of [
      'html',
      { status: 200, body: { token_type: 'Bearer' } },
      { status: 200, body: { access_token: 'x', token_type: 'mac' } },
    ] as const) {
      rig.clock?.advance(121);
      rig.emulator.failNext('token', how);
      expect((await dashboard(browser)).status, JSON.stringify(how)).toBe(502);
      rig.clock?.advance(5.1); // the failure back-off
      expect((await dashboard(browser)).status).toBe(200);
    }
  });

  it('F10: a provider answering expires_in 0 causes no refresh loop', async () => {
    rig = await startRig();
    rig.emulator.failNext('token', {
      status: 200,
      body: { access_token: 'zero', token_type: 'Bearer', expires_in: 0, refresh_token: 'r0' },
    });
    rig.emulator.failNext('user', { status: 200, body: { id: 1, name: 'Test User' } });
    const browser = await rig.login(new TestBrowser(json));
    rig.emulator.resetCounters();
    for (let i = 0; i < 5; i += 1) expect((await dashboard(browser)).status).toBe(200);
    expect(rig.emulator.counters.token).toBe(0);
  });

  it('F12: the refresh request carries the client credentials and no scope, code or redirect_uri', async () => {
    rig = await startRig({ clock: true, emulator: { accessTokenTtlSeconds: 120 } });
    const browser = await rig.login();
    rig.clock?.advance(70);
    await dashboard(browser);
    const call = rig.emulator.calls.find((c) => c.body.grant_type === 'refresh_token');
    expect(Object.keys(call?.body ?? {}).sort()).toEqual(['client_id', 'client_secret', 'grant_type', 'refresh_token']);
  });

  it('F13: a profile with another user id after a reload ends the login', async () => {
    rig = await startRig({ auth: { profileTtlSeconds: 0 } });
    const browser = await rig.login();
    rig.emulator.failNext('user', { status: 200, body: { id: 2, name: 'Someone Else' } });
    const answer = await dashboard(browser);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { code: 'SF_LOGIN_REQUIRED', reason: 'user_changed' } });
    expect((await dashboard(browser)).status).toBe(401);
  });
});
