import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, chromiumAvailable, launchChromium } from './helpers/chromium.js';
import { startRig, type Rig } from './helpers/rig.js';

const available = chromiumAvailable;
if (!available) console.warn(`silent-renewal-browser.test.ts SKIPPED: no Chromium at ${CHROMIUM}.`);

let browser: Browser;
let rig: Rig;

/** Logs a fresh Chromium profile in through the emulator's consent page; returns its page. */
async function loggedInPage(): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${rig.url}/auth/login?returnTo=/dashboard`);
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.waitForURL(`${rig.url}/dashboard`);
  return page;
}

/** Every page the browser navigated to (documents only), with its status. */
function navigations(page: Page): { url: string; status: number }[] {
  const seen: { url: string; status: number }[] = [];
  page.on('response', (response) => {
    if (response.request().isNavigationRequest()) seen.push({ url: response.url(), status: response.status() });
  });
  return seen;
}

const promptsSince = (from: number): (string | undefined)[] =>
  rig.emulator.authorizations.slice(from).map((a) => a.prompt);

describe.skipIf(!available)('silent renewal in headless Chromium', () => {
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => browser?.close());
  afterEach(async () => rig?.close());

  async function start(): Promise<void> {
    // No auto-approval: a normal login shows the consent page, so "no page" is visible.
    rig = await startRig({
      emulator: { autoApprove: false },
      auth: { silentRenewal: true, profileTtlSeconds: 0 },
    });
  }

  it('B1: a user still signed in at the provider whose refresh token was refused comes back without a page', async () => {
    await start();
    const page = await loggedInPage();
    const from = rig.emulator.authorizations.length;
    const seen = navigations(page);
    rig.emulator.revokeAllTokens();
    await page.goto(`${rig.url}/dashboard`);
    await page.waitForURL(`${rig.url}/dashboard`);
    expect(await page.textContent('body')).toContain('Test User');
    expect(promptsSince(from)).toEqual(['none']);
    // The provider answered only with redirects: no page of its own was shown.
    const providerPages = seen.filter((hop) => hop.url.startsWith(rig.emulator.url) && hop.status === 200);
    expect(providerPages).toEqual([]);
    expect(seen.some((hop) => hop.url.includes('renew=silent'))).toBe(true);
  });

  it('B2: a user signed out at the provider falls back to the normal login page, without a loop', async () => {
    await start();
    const page = await loggedInPage();
    const from = rig.emulator.authorizations.length;
    rig.emulator.revokeAllTokens();
    rig.emulator.signOut();
    await page.goto(`${rig.url}/dashboard`);
    await page.getByRole('button', { name: 'Approve' }).waitFor();
    expect(await page.textContent('body')).toContain('Sign in again');
    // Let a loop, if there were one, show itself: the page stays, and no request follows.
    await page.waitForTimeout(500);
    expect(promptsSince(from)).toEqual(['none', undefined]);
    expect(page.url()).toContain(`${rig.emulator.url}/oauth/authorize`);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(`${rig.url}/dashboard`);
    expect(await page.textContent('body')).toContain('Test User');
  });
});
