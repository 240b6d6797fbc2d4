import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { TestBrowser } from 'passport-synergyflow/testing';
import { startRig, type Rig } from './helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

/** Starts a login without following it to the provider; returns the browser and the state. */
async function startLogin(browser: TestBrowser, query = ''): Promise<{ state: string; authorize: URL }> {
  const answer = await browser.request(`${rig.url}/auth/login${query}`, { follow: false });
  const authorize = new URL(answer.location ?? '');
  return { state: authorize.searchParams.get('state') ?? '', authorize };
}

/** Asks the emulator for a code the way the browser would, without reaching the callback. */
async function codeFor(browser: TestBrowser, authorize: URL): Promise<string> {
  const answer = await browser.request(authorize.toString(), { follow: false });
  return new URL(answer.location ?? '').searchParams.get('code') ?? '';
}

const json = { accept: 'application/json' };

describe('callback', () => {
  it('C1: exchanges the code once, rotates the session id, and redirects away with no-store headers', async () => {
    rig = await startRig();
    const browser = rig.browser();
    const { state, authorize } = await startLogin(browser);
    const sidBefore = browser.cookieHeader(rig.url);
    const code = await codeFor(browser, authorize);
    const callback = await browser.request(`${rig.url}/auth/callback?code=${code}&state=${state}`, { follow: false });
    expect(callback.status).toBe(303);
    expect(callback.location).toBe(`${rig.url}/`);
    expect(callback.headers.get('cache-control')).toBe('no-store');
    expect(callback.headers.get('referrer-policy')).toBe('no-referrer');
    expect(browser.cookieHeader(rig.url)).not.toBe(sidBefore);
    const tokenCall = rig.emulator.calls.find((call) => call.endpoint === 'token');
    expect(tokenCall?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(tokenCall?.body).toMatchObject({
      grant_type: 'authorization_code',
      code,
      redirect_uri: `${rig.url}/auth/callback`,
    });
    expect(tokenCall?.headers.authorization).toBeUndefined();
    expect(rig.emulator.counters.authorizationCodeGrants).toBe(1);
    expect(rig.sessionCount()).toBe(1);
  });

  it('L5: returnTo is kept server-side with the login and honoured after the callback', async () => {
    rig = await startRig();
    const browser = rig.browser();
    const { authorize } = await startLogin(browser, '?returnTo=%2Fdashboard%3Fx%3D1');
    expect(authorize.toString()).not.toContain('dashboard');
    const end = await browser.request(authorize.toString());
    expect(end.url).toBe(`${rig.url}/dashboard?x=1`);
  });

  it('C21: several tabs of one session each complete their own login', async () => {
    rig = await startRig();
    const browser = rig.browser();
    const first = await startLogin(browser, '?returnTo=/first');
    const second = await startLogin(browser, '?returnTo=/second');
    const secondEnd = await browser.request(second.authorize.toString());
    expect(secondEnd.url).toBe(`${rig.url}/second`);
    const firstEnd = await browser.request(first.authorize.toString());
    expect(firstEnd.url).toBe(`${rig.url}/first`);
    expect(rig.emulator.counters.authorizationCodeGrants).toBe(2);
  });

  it('C2/C3: a missing or wrong state is refused before any token call', async () => {
    rig = await startRig();
    const browser = rig.browser();
    const { authorize } = await startLogin(browser);
    const code = await codeFor(browser, authorize);
    for (const query of [`code=${code}`, `code=${code}&state=WRONG`, `code=${code}&state=${'A'.repeat(43)}`]) {
      const answer = await browser.request(`${rig.url}/auth/callback?${query}`, { headers: json });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'SF_LOGIN_FAILED', reason: 'unknown_state' } });
    }
    expect(rig.emulator.counters.token).toBe(0);
  });

  it('C4/C5/C7: a callback in another browser (login CSRF) is refused and nothing is stored', async () => {
    rig = await startRig();
    const attacker = rig.browser();
    const { state, authorize } = await startLogin(attacker);
    const code = await codeFor(attacker, authorize);
    const victim = new TestBrowser(json);
    const answer = await victim.request(`${rig.url}/auth/callback?code=${code}&state=${state}`);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(rig.emulator.counters.token).toBe(0);
    expect((await victim.request(`${rig.url}/dashboard`)).status).toBe(401);
  });

  it('C6: replaying a finished callback costs no token call and lands a logged-in user home', async () => {
    rig = await startRig();
    const browser = rig.browser();
    const { state, authorize } = await startLogin(browser);
    const code = await codeFor(browser, authorize);
    const callbackURL = `${rig.url}/auth/callback?code=${code}&state=${state}`;
    await browser.request(callbackURL);
    const replay = await browser.request(callbackURL, { follow: false });
    expect(replay.status).toBe(303);
    expect(replay.location).toBe(`${rig.url}/`);
    expect(rig.emulator.counters.token).toBe(1);
  });

  it('C8: a login older than loginTimeoutSeconds expires', async () => {
    rig = await startRig({ auth: { loginTimeoutSeconds: 1 } });
    const browser = new TestBrowser(json);
    const { state, authorize } = await startLogin(browser);
    const code = await codeFor(browser, authorize);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const answer = await browser.request(`${rig.url}/auth/callback?code=${code}&state=${state}`);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { reason: 'expired' } });
    expect(rig.emulator.counters.token).toBe(0);
  });

  it('C9: a valid state with neither code nor error never starts a new login', async () => {
    rig = await startRig();
    const browser = new TestBrowser(json);
    const { state } = await startLogin(browser);
    const answer = await browser.request(`${rig.url}/auth/callback?state=${state}`, { follow: false });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { reason: 'invalid_callback' } });
    expect(rig.emulator.counters.authorize).toBe(0);
  });

  it('C10: denied consent is a clean 401 failure with the login consumed', async () => {
    rig = await startRig({ emulator: { autoApprove: false } });
    const browser = rig.browser();
    const consent = await browser.request(`${rig.url}/auth/login`);
    const denied = await browser.submitConsent(consent, 'deny');
    expect(denied.status).toBe(401);
    expect(denied.headers.get('content-type')).toContain('text/html');
    expect(denied.text).toContain('declined');
    expect(denied.text).not.toMatch(/at \w+ \(/);
    expect(rig.emulator.counters.token).toBe(0);
  });

  it('C10: failureRedirect sends browsers to the app page with the reason', async () => {
    rig = await startRig({ auth: { failureRedirect: '/login-failed' }, emulator: { autoApprove: false } });
    const browser = rig.browser();
    const consent = await browser.request(`${rig.url}/auth/login`);
    await browser.submitConsent(consent, 'deny');
    const redirect = browser.history.find((answer) => answer.location?.includes('/login-failed'));
    expect(redirect?.location).toBe(`${rig.url}/login-failed?error=access_denied`);
  });

  it('C12/C14/C15: error without a known state, code with error, and duplicated parameters are 400s', async () => {
    rig = await startRig();
    const browser = new TestBrowser(json);
    const { state } = await startLogin(browser);
    const cases = [
      'error=access_denied&state=WRONG',
      `code=a&code=b&state=${state}`,
      `code=a&state=${state}&state=${state}`,
      `code[x]=a&state=${state}`,
      `code=a&state[x]=1`,
      `code=a&state=`,
    ];
    for (const query of cases) {
      const answer = await request(rig.server)
        .get(`/auth/callback?${query}`)
        .set('accept', 'application/json')
        .set('cookie', browser.cookieHeader(rig.url));
      expect(answer.status, query).toBe(400);
    }
    const both = await browser.request(`${rig.url}/auth/callback?code=a&error=access_denied&state=${state}`);
    expect(both.status).toBe(400);
    expect(rig.emulator.counters.token).toBe(0);
  });

  it('C17: an iss parameter that is not the provider is refused', async () => {
    rig = await startRig();
    const browser = new TestBrowser(json);
    const { state } = await startLogin(browser);
    const answer = await browser.request(
      `${rig.url}/auth/callback?code=x&state=${state}&iss=${encodeURIComponent('https://evil.example')}`,
    );
    expect(JSON.parse(answer.text)).toMatchObject({ error: { reason: 'issuer_mismatch' } });
    expect(rig.emulator.counters.token).toBe(0);
  });

  it('C17: an iss parameter equal to the provider is accepted', async () => {
    rig = await startRig({ emulator: { issuerParameter: true } });
    const browser = await rig.login();
    expect(browser.history.some((answer) => answer.location?.includes('iss='))).toBe(true);
    expect((await browser.request(`${rig.url}/dashboard`, { headers: json })).status).toBe(200);
  });

  it('C17: with an issuer configured, iss must be present and exactly that string', async () => {
    const issuer = 'https://id.example/realms/acme';
    for (const [sent, status] of [
      [issuer, 200],
      [`${issuer}/`, 'issuer_mismatch'],
      ['https://id.example/realms/other', 'issuer_mismatch'],
      [undefined, 'issuer_mismatch'],
    ] as const) {
      if (sent !== issuer) await rig.close(); // the previous case's
      rig = await startRig({ emulator: sent === undefined ? {} : { issuerParameter: sent }, auth: { issuer } });
      const browser = new TestBrowser(json);
      const end = await browser.request(`${rig.url}/auth/login`);
      if (status === 200) {
        expect(end.url, String(sent)).toBe(`${rig.url}/`);
        expect((await browser.request(`${rig.url}/dashboard`, { headers: json })).status).toBe(200);
      } else {
        expect(JSON.parse(end.text), String(sent)).toMatchObject({ error: { reason: status } });
        expect(rig.emulator.counters.token).toBe(0);
      }
    }
  });

  it('C19: POST /callback is not a callback', async () => {
    rig = await startRig();
    const answer = await request(rig.server).post('/auth/callback?code=a&state=b');
    expect(answer.status).toBe(404);
    expect(rig.emulator.counters.token).toBe(0);
  });
});
