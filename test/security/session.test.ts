import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { TestBrowser } from 'passport-synergyflow/testing';
import { startRig, type Rig } from '../helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

const json = { accept: 'application/json' };
const sidOf = (cookie: string): string => decodeURIComponent(/\bsid=s%3A([^.]+)/.exec(cookie)?.[1] ?? '');
/** The `sid=…` pair of a browser's cookie header (the login-binding cookie sits beside it). */
const sidCookie = (browser: TestBrowser): string => /\bsid=[^;]+/.exec(browser.cookieHeader(rig.url))?.[0] ?? '';
const storeGet = (sid: string): Promise<Record<string, unknown> | null> =>
  new Promise((resolve) =>
    rig.store.get(sid, (_e, data) => resolve((data as unknown as Record<string, unknown>) ?? null)),
  );
const storeSet = (sid: string, data: object): Promise<void> =>
  new Promise((resolve) => rig.store.set(sid, data as never, () => resolve()));

describe('session handling', () => {
  it('S1/S2: a planted session id is replaced at login and stays anonymous', async () => {
    rig = await startRig();
    const attacker = new TestBrowser();
    await attacker.request(`${rig.url}/auth/login`, { follow: false });
    const planted = sidCookie(attacker);
    const victim = new TestBrowser();
    victim.setCookie(rig.url, 'sid', planted.replace(/^sid=/, ''));
    await rig.login(victim);
    expect(sidCookie(victim)).not.toBe(planted);
    const withPlanted = await request(rig.server)
      .get('/dashboard')
      .set('cookie', planted)
      .set('accept', 'application/json');
    expect(withPlanted.status).toBe(401);
    expect(await storeGet(sidOf(planted))).toBeNull();
    expect(rig.sessionCount()).toBe(1);
  });

  it('S3: keys planted in the pre-login session do not survive the login', async () => {
    rig = await startRig();
    const browser = new TestBrowser();
    const start = await browser.request(`${rig.url}/auth/login`, { follow: false });
    const sid = sidOf(browser.cookieHeader(rig.url));
    const before = (await storeGet(sid)) ?? {};
    await storeSet(sid, {
      ...before,
      isAdmin: true,
      returnTo: 'https://evil.example',
      passport: { user: 'sf:synergyflow' },
      synergyflow: { ...(before.synergyflow as object), sub: '999' },
    });
    await browser.request(start.location ?? '');
    const after = await storeGet(sidOf(browser.cookieHeader(rig.url)));
    expect(after).not.toHaveProperty('isAdmin');
    expect(after).not.toHaveProperty('returnTo');
    expect(after?.passport).toEqual({ user: 'sf:synergyflow' });
    expect((after?.synergyflow as { sub?: string } | undefined)?.sub).toBe('1');
  });

  it('S6: a tampered, random or unsigned session cookie is anonymous, never a 500', async () => {
    rig = await startRig();
    const browser = await rig.login();
    const good = browser.cookieHeader(rig.url);
    for (const cookie of [
      good.replace(/\.[^.]+$/, '.forged'),
      'sid=s%3Arandom.sig',
      `sid=${sidOf(good)}`,
      'sid=%E0%A4%A',
    ]) {
      const answer = await request(rig.server)
        .get('/dashboard')
        .set('cookie', cookie)
        .set('accept', 'application/json');
      expect(answer.status, cookie).toBe(401);
    }
  });

  it('S7/X4/X6: cookies hold only the opaque session id; req.user holds no token', async () => {
    rig = await startRig();
    const browser = await rig.login();
    const secrets = rig.emulator.issuedSecrets();
    // The session id only: the login-binding cookie (S11) is deleted once no login is pending.
    const cookies = browser.cookieHeader(rig.url).split('; ');
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/^sid=s%3A[\w-]+\.[\w%+/=-]+$/);
    const dashboard = await browser.request(`${rig.url}/dashboard`, { headers: json });
    for (const secret of secrets) expect(dashboard.text).not.toContain(secret);
    // X4: an answer carrying the profile is never cached.
    expect(dashboard.headers.get('cache-control')).toBe('no-store');
  });

  it('S9: a slow request that loaded the session before a rotation cannot write the old refresh token back', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    rig = await startRig({
      emulator: { accessTokenTtlSeconds: 2 },
      routes(app, auth) {
        // Loads the session (tokens v1), then waits, then changes the session and ends.
        app.get('/slow', auth.requireUser(), (req, res) => {
          void gate.then(() => {
            (req.session as unknown as Record<string, unknown>).lastVisit = Date.now();
            res.json({ ok: true });
          });
        });
      },
    });
    const browser = await rig.login();
    const slow = request(rig.server)
      .get('/slow')
      .set('cookie', browser.cookieHeader(rig.url))
      .set('accept', 'application/json')
      .then((r) => r);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // Request B rotates the refresh token.
    expect((await browser.request(`${rig.url}/dashboard`, { headers: json })).status).toBe(200);
    expect(rig.emulator.counters.refreshGrants).toBe(1);
    release();
    expect((await slow).status).toBe(200);
    // The store still holds B's refresh token: the next refresh works.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await browser.request(`${rig.url}/dashboard`, { headers: json })).status).toBe(200);
    expect(rig.emulator.counters.refreshGrants).toBe(2);
  });

  it('C20: logging in as another user over an existing login replaces the session', async () => {
    rig = await startRig({
      emulator: {
        users: [
          { id: 1, name: 'Ada', email: 'ada@example.com', email_verified_at: null, created_at: '', updated_at: '' },
          { id: 2, name: 'Bob', email: 'bob@example.com', email_verified_at: null, created_at: '', updated_at: '' },
        ],
      },
    });
    const browser = await rig.login();
    const first = browser.cookieHeader(rig.url);
    rig.emulator.approveAs(2);
    await rig.login(browser);
    expect(browser.cookieHeader(rig.url)).not.toBe(first);
    const dashboard = JSON.parse((await browser.request(`${rig.url}/dashboard`, { headers: json })).text) as {
      user: { name: string };
    };
    expect(dashboard.user.name).toBe('Bob');
    expect(rig.sessionCount()).toBe(1);
  });
});
