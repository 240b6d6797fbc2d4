import { afterEach, describe, expect, it } from 'vitest';
import { TestBrowser } from 'passport-synergyflow/testing';
import { startRig, type Rig } from '../helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

const json = { accept: 'application/json' };

/** Starts a login and lets the emulator approve it; returns the unvisited callback URL. */
async function callbackLink(browser: TestBrowser, returnTo?: string): Promise<string> {
  const query = returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
  const start = await browser.request(`${rig.url}/auth/login${query}`, { follow: false });
  return (await browser.request(start.location ?? '', { follow: false })).location ?? '';
}

/**
 * A rig whose browser has an approved login to `/first` waiting at its callback URL, and whose
 * token endpoint answers `latencyMs` late, so that requests overlap inside the callback.
 */
async function slowCallback(latencyMs: number): Promise<{ browser: TestBrowser; link: string }> {
  rig = await startRig();
  const browser = rig.browser();
  const link = await callbackLink(browser, '/first');
  rig.emulator.latencyMs.token = latencyMs;
  return { browser, link };
}

describe('callback edge cases', () => {
  it('C23: a double click on the callback redeems the code once; the second waits and follows the login', async () => {
    // A provider 300 ms away: both requests are inside the callback at once.
    const { browser, link } = await slowCallback(300);
    const answers = await Promise.all([
      browser.request(link, { follow: false }),
      browser.request(link, { follow: false }),
    ]);
    expect(rig.emulator.counters.token).toBe(1);
    expect(answers.map((a) => a.status)).toEqual([303, 303]);
    // Both land where the login does, each with the new session's cookie (the browser keeps
    // whichever answer came last).
    expect(answers.map((a) => a.location)).toEqual([`${rig.url}/first`, `${rig.url}/first`]);
    const cookies = answers.map((a) => /\bsid=([^;]+)/.exec(a.headers.get('set-cookie') ?? '')?.[1]);
    expect(cookies[0]).toBeDefined();
    expect(cookies[1]).toBe(cookies[0]);
    // The one redemption stands (a second one would have revoked its tokens).
    const dashboard = await browser.request(`${rig.url}/dashboard`, { headers: json });
    expect(dashboard.status).toBe(200);
  });

  it('C23: a reload that drops the first connection mid-exchange still redeems the code once', async () => {
    const { browser, link } = await slowCallback(400);
    // The first load is abandoned (the browser reloads): its socket closes while the code is
    // still being redeemed, which must not open the gate to a second redemption.
    const first = new AbortController();
    const abandoned = fetch(link, {
      headers: { cookie: browser.cookieHeader(rig.url) },
      redirect: 'manual',
      signal: first.signal,
    }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    first.abort();
    await abandoned;
    const reload = await browser.request(link, { follow: false });
    expect(rig.emulator.counters.token).toBe(1);
    expect(reload.status).toBe(303);
    expect(reload.location).toBe(`${rig.url}/first`);
    // The abandoned answer carried the new session's cookie and the browser never saw it: the
    // reload's answer brings it, so the login is not lost.
    const dashboard = await browser.request(`${rig.url}/dashboard`, { headers: json });
    expect(dashboard.status).toBe(200);
  });

  it('C23: a second callback from another session does not follow the login', async () => {
    const { browser, link } = await slowCallback(300);
    // Someone who has the link (state and code) but not the browser's cookies.
    const stranger = rig.browser();
    const [own, other] = await Promise.all([
      browser.request(link, { follow: false }),
      stranger.request(link, { follow: false }),
    ]);
    expect(own.status).toBe(303);
    expect(other.headers.get('set-cookie') ?? '').not.toMatch(/\bsid=/);
    expect((await stranger.request(`${rig.url}/dashboard`, { headers: json })).status).toBe(401);
    expect((await browser.request(`${rig.url}/dashboard`, { headers: json })).status).toBe(200);
    expect(rig.emulator.counters.token).toBe(1);
  });

  it('C24: a 401 or 403 from the profile call during the callback is a LoginFailedError, never a redirect to log in', async () => {
    rig = await startRig();
    // A 403 is a token without the scope the profile needs: a 403, not an outage that pages anyone.
    const expected = { 401: [502, 'authorization_server_error'], 403: [403, 'scope_not_granted'] } as const;
    for (const status of [401, 403] as const) {
      const [answered, reason] = expected[status];
      rig.emulator.failNext('user', { status });
      const api = new TestBrowser(json);
      const answer = await api.request(await callbackLink(api), { follow: false });
      expect(answer.status, String(status)).toBe(answered);
      expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'SF_LOGIN_FAILED', reason } });
      rig.emulator.failNext('user', { status });
      const page = rig.browser();
      const navigation = await page.request(await callbackLink(page), { follow: false });
      expect(navigation.status, String(status)).toBe(answered);
      expect(navigation.location).toBeUndefined();
      expect(navigation.text).toContain('Login did not complete');
    }
  });

  it('R13: the callback and login routes are never a returnTo, however they are spelled', async () => {
    rig = await startRig();
    for (const returnTo of [
      '/auth/callback?code=stolen&state=x',
      '/AUTH/Callback/?code=stolen',
      '/auth/%63allback?code=stolen',
      '/auth/login?returnTo=/x',
    ]) {
      const browser = rig.browser();
      const answer = await browser.request(await callbackLink(browser, returnTo), { follow: false });
      expect(answer.location, returnTo).toBe(`${rig.url}/`);
    }
  });

  it('R13: errorHandler never sends a browser to log in with the callback URL as returnTo', async () => {
    rig = await startRig({
      // A callback route the app itself protects by mistake: its errors reach errorHandler.
      auth: { callbackURL: 'http://127.0.0.1:1/app/callback' },
      routes(app, auth) {
        app.get('/app/callback', auth.requireUser(), (_req, res) => void res.send('unreachable'));
        app.get('/app/page', auth.requireUser(), (_req, res) => void res.send('page'));
      },
    });
    const browser = rig.browser();
    const answer = await browser.request(`${rig.url}/app/callback?code=secret-code&state=s`, { follow: false });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`${rig.url}/app/login`);
    // Any other page keeps its returnTo.
    const page = await browser.request(`${rig.url}/app/page?x=1`, { follow: false });
    expect(page.location).toBe(`${rig.url}/app/login?returnTo=${encodeURIComponent('/app/page?x=1')}`);
  });
});
