import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestBrowser, type TestApp } from 'passport-synergyflow/testing';
import { prefixRefusal } from '../../src/login/refused-cookies.js';
import { chromiumAvailable, launchChromiumProfile, type ChromiumProfile } from '../helpers/chromium.js';
import { buildApp, pageText, type Wiring } from './wiring.js';

// The quick start names its session cookie `__Host-sid` (https only). Over http://localhost,
// express-session with secure: 'auto' sends it without Secure, and browsers drop a `__Host-`
// cookie without Secure without a word: every login ended in unknown_state, blamed on the user.
// Now the first such login explains itself at the callback and the next is refused before the
// provider, naming the fix; the testing kit's browser drops the cookie as Chromium does.
let testApp: TestApp | undefined;
afterEach(async () => {
  await testApp?.close();
  testApp = undefined;
});

const hostCookie: Wiring = { cookieName: '__Host-sid', cookieSecure: 'auto' };
const FIX = 'name the session cookie without the prefix';

describe('a __Host- session cookie over plain http', () => {
  it('P1: the first login says why it failed at the callback; the next stops before the provider', async () => {
    testApp = await startTestApp((options) => buildApp(options, hostCookie));
    const first = await new TestBrowser().request(`${testApp.url}/auth/login`);
    expect(first.status).toBe(500);
    expect(pageText(first.text)).toContain(
      'set the cookie "__Host-sid" over plain http as a __Host- cookie without Secure',
    );
    expect(pageText(first.text)).toContain(FIX);
    expect(testApp.emulator.counters.authorize).toBe(1);
    const second = new TestBrowser();
    const refused = await second.request(`${testApp.url}/auth/login`);
    expect(refused.status).toBe(500);
    expect(pageText(refused.text)).toContain(FIX);
    expect(second.history).toHaveLength(1); // not sent to the provider
    expect(testApp.emulator.counters.authorize).toBe(1);
  });

  it('P2: the same app with the cookie named sid logs in over http', async () => {
    testApp = await startTestApp((options) => buildApp(options, { ...hostCookie, cookieName: 'sid' }));
    const browser = new TestBrowser();
    const landed = await browser.request(`${testApp.url}/auth/login?returnTo=/dashboard`);
    expect(landed.status).toBe(200);
    expect(JSON.parse(landed.text)).toEqual({ name: expect.any(String) });
  });

  it("P3: the prefixes' rules (RFC 6265bis 4.1.3), as browsers apply them", () => {
    expect(prefixRefusal('__Host-sid=1; Path=/; HttpOnly')).toBe('a __Host- cookie without Secure');
    expect(prefixRefusal('__Secure-sid=1; Path=/app')).toBe('a __Secure- cookie without Secure');
    expect(prefixRefusal('__Host-sid=1; Path=/; Secure; Domain=example.com')).toBe('a __Host- cookie with a Domain');
    expect(prefixRefusal('__Host-sid=1; Path=/app; Secure')).toBe('a __Host- cookie whose Path is not /');
    expect(prefixRefusal('__Host-sid=1; Secure')).toBe('a __Host- cookie whose Path is not /');
    expect(prefixRefusal('__Host-sid=1; path=/; secure; httponly')).toBeUndefined();
    expect(prefixRefusal('__Secure-sid=1; Path=/app; Secure; Domain=example.com')).toBeUndefined();
    expect(prefixRefusal('sid=1; Path=/')).toBeUndefined();
  });
});

let chromium: ChromiumProfile | undefined;
describe.skipIf(!chromiumAvailable)('the same app in headless Chromium', () => {
  beforeAll(async () => {
    chromium = await launchChromiumProfile();
  }, 60_000);
  afterAll(async () => chromium?.close());

  it('P4: Chromium drops the cookie as the testing kit does, and reads the same fix at the callback', async () => {
    testApp = await startTestApp((options) => buildApp(options, hostCookie));
    const page = await (chromium as ChromiumProfile).context.newPage();
    const answer = await page.goto(`${testApp.url}/auth/login`);
    expect(answer?.status()).toBe(500);
    expect(await page.textContent('body')).toContain(FIX);
    expect(await (chromium as ChromiumProfile).context.cookies(testApp.url)).not.toContainEqual(
      expect.objectContaining({ name: '__Host-sid' }),
    );
    await page.close();
  }, 30_000);
});
