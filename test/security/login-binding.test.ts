import { afterEach, describe, expect, it } from 'vitest';
import { TestBrowser } from 'passport-synergyflow/testing';
import { startRig, type Rig } from '../helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

const json = { accept: 'application/json' };
const ADA = { id: 1, name: 'Ada', email: 'ada@example.com', email_verified_at: null, created_at: '', updated_at: '' };
const MALLORY = {
  id: 2,
  name: 'Mallory',
  email: 'm@example.com',
  email_verified_at: null,
  created_at: '',
  updated_at: '',
};

/** The value of one cookie in a browser's jar for the app. */
const cookieValue = (browser: TestBrowser, name: string): string | undefined =>
  new RegExp(`(?:^|; )${name}=([^;]*)`).exec(browser.cookieHeader(rig.url))?.[1];

async function whoIs(browser: TestBrowser): Promise<string | undefined> {
  const answer = await browser.request(`${rig.url}/dashboard`, { headers: json });
  return answer.status === 200 ? (JSON.parse(answer.text) as { user: { name: string } }).user.name : undefined;
}

/** Starts a login without following it; returns the authorize URL and the returnTo asked for. */
async function startLogin(browser: TestBrowser, returnTo: string): Promise<string> {
  const answer = await browser.request(`${rig.url}/auth/login?returnTo=${encodeURIComponent(returnTo)}`, {
    follow: false,
  });
  return answer.location ?? '';
}

/** Lets the emulator approve a started login; returns the callback URL with its code, unvisited. */
async function callbackLink(browser: TestBrowser, authorize: string): Promise<string> {
  return (await browser.request(authorize, { follow: false })).location ?? '';
}

describe('pending logins are bound to the browser that started them', () => {
  it("S11: an attacker's login carried in by a planted session cookie cannot finish in the victim's browser (session swap)", async () => {
    rig = await startRig({ emulator: { users: [ADA, MALLORY] } });
    // The attacker starts a login as himself, approves consent, and keeps the callback link.
    rig.emulator.approveAs(MALLORY.id);
    const attacker = rig.browser();
    const link = await callbackLink(attacker, await startLogin(attacker, '/'));
    expect(link).toContain('code=');
    // He plants his anonymous session cookie in the victim's browser (sibling subdomain, or a
    // plain-http hop before HSTS); the __Host- binding cookie is out of his reach.
    const victim = rig.browser();
    victim.setCookie(rig.url, 'sid', cookieValue(attacker, 'sid') ?? '');
    // The victim logs in as herself: her session id rotates.
    rig.emulator.approveAs(ADA.id);
    await rig.login(victim);
    expect(await whoIs(victim)).toBe('Ada');
    expect(rig.emulator.counters.authorizationCodeGrants).toBe(1);
    // Any top-level GET of the attacker's link in her browser (SameSite=Lax sends her cookies).
    const visit = await victim.request(link, { follow: false });
    expect(visit.status).toBeLessThan(500);
    expect(await whoIs(victim)).toBe('Ada');
    expect(rig.emulator.counters.authorizationCodeGrants).toBe(1);
  });

  it("S11: the attacker's link is also refused in a victim who is not logged in, before any token call", async () => {
    rig = await startRig({ emulator: { users: [ADA, MALLORY] } });
    rig.emulator.approveAs(MALLORY.id);
    const attacker = rig.browser();
    const link = await callbackLink(attacker, await startLogin(attacker, '/'));
    const victim = new TestBrowser(json);
    victim.setCookie(rig.url, 'sid', cookieValue(attacker, 'sid') ?? '');
    const visit = await victim.request(link);
    expect(visit.status).toBe(400);
    expect(JSON.parse(visit.text)).toMatchObject({ error: { code: 'SF_LOGIN_FAILED', reason: 'unknown_state' } });
    expect(rig.emulator.counters.token).toBe(0);
    // The attacker's own browser still finishes his login: the binding is his.
    expect((await attacker.request(link)).status).toBe(200);
    expect(rig.emulator.counters.authorizationCodeGrants).toBe(1);
  });

  it('S11: several tabs share one binding cookie and finish their logins, one after another or at once', async () => {
    rig = await startRig();
    const browser = rig.browser();
    const tabs = ['/one', '/two', '/three', '/four'];
    const authorizeURLs: string[] = [];
    const bindings = new Set<string | undefined>();
    for (const tab of tabs) {
      authorizeURLs.push(await startLogin(browser, tab));
      bindings.add(cookieValue(browser, 'sf-login'));
    }
    expect(bindings.size).toBe(1);
    const links = await Promise.all(authorizeURLs.map((url) => callbackLink(browser, url)));
    // Tab two first, then one, then three and four at the same moment.
    expect((await browser.request(links[1] ?? '', { follow: false })).location).toBe(`${rig.url}/two`);
    // Logins are still pending: the binding cookie stays (it is deleted once none is).
    expect(cookieValue(browser, 'sf-login')).toBe([...bindings][0]);
    expect((await browser.request(links[0] ?? '', { follow: false })).location).toBe(`${rig.url}/one`);
    const together = await Promise.all([2, 3].map((i) => browser.request(links[i] ?? '', { follow: false })));
    expect(together.map((answer) => answer.location)).toEqual([`${rig.url}/three`, `${rig.url}/four`]);
    expect(rig.emulator.counters.authorizationCodeGrants).toBe(4);
    expect(await whoIs(browser)).toBe('Test User');
  });

  it('S11: the binding cookie is __Host-sf-login (HttpOnly, Secure, SameSite=Lax, Path=/, no Domain) on https', async () => {
    rig = await startRig({ auth: { callbackURL: 'https://app.example/auth/callback' } });
    const answer = await rig.browser().request(`${rig.url}/auth/login`, { follow: false });
    const cookie = answer.headers.getSetCookie().find((line) => line.startsWith('__Host-sf-login='));
    expect(cookie).toMatch(/^__Host-sf-login=[\w-]{43};/);
    const attributes = (cookie ?? '').split('; ').slice(1);
    expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Lax', 'Max-Age=660']));
    expect(attributes.some((a) => /^domain=/i.test(a))).toBe(false);
    // On plain http (localhost development) it cannot be __Host-: sf-login, without Secure.
    await rig.close();
    rig = await startRig();
    const local = await rig.browser().request(`${rig.url}/auth/login`, { follow: false });
    const plain = local.headers.getSetCookie().find((line) => line.startsWith('sf-login='));
    expect(plain).toMatch(/^sf-login=[\w-]{43}; Max-Age=660; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
  });
});
