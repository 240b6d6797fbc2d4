import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSynergyFlowEmulator, type SynergyFlowEmulator } from 'passport-synergyflow/testing';
import { createApp } from '../example-app/app.js';
import { CHROMIUM, chromiumAvailable, launchChromiumProfile, type ChromiumProfile } from './helpers/chromium.js';

const available = chromiumAvailable;
if (!available) {
  console.warn(
    `browser.test.ts SKIPPED: no Chromium at ${CHROMIUM}. Install it with "apt-get install -y chromium" (as root), or set CHROMIUM_PATH.`,
  );
}

const screenshots = resolve('test-output/screenshots');
let emulator: SynergyFlowEmulator;
let server: Server;
let url: string;
let context: BrowserContext;
let chromium: ChromiumProfile | undefined;

describe.skipIf(!available)('example app in headless Chromium', () => {
  beforeAll(async () => {
    emulator = await startSynergyFlowEmulator();
    server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    emulator.registerClient({
      clientID: 'example-client',
      clientSecret: 'example-secret',
      redirectURIs: [`${url}/auth/callback`],
    });
    server.on(
      'request',
      createApp({
        clientID: 'example-client',
        clientSecret: 'example-secret',
        callbackURL: `${url}/auth/callback`,
        baseURL: emulator.url,
        sessionSecret: 'browser-test',
        emulator,
      }),
    );
    chromium = await launchChromiumProfile({ viewport: { width: 1100, height: 800 } });
    context = chromium.context;
    mkdirSync(screenshots, { recursive: true });
    console.log(`browser.test.ts: screenshots in ${screenshots}`);
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done));
    await emulator?.close();
  });

  it('logs in through consent, survives an expired token, shows a 429, logs out', async () => {
    const page = await context.newPage();
    await page.goto(`${url}/`);
    await page.screenshot({ path: join(screenshots, '1-home.png') });
    await page.getByRole('link', { name: 'Log in with SynergyFlow Pro' }).click();
    await page.getByRole('button', { name: 'Approve' }).waitFor();
    expect(page.url().startsWith(emulator.url)).toBe(true);
    await page.screenshot({ path: join(screenshots, '2-consent.png') });
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('heading', { name: 'Hello, Test User' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    expect(page.url()).not.toContain('code=');
    await page.screenshot({ path: join(screenshots, '3-dashboard.png') });

    emulator.resetCounters();
    await page.getByRole('button', { name: 'Expire the access token' }).click();
    await page.getByRole('heading', { name: 'Hello, Test User' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Hello, Test User' }).waitFor();
    expect(emulator.counters.refreshGrants).toBe(1);
    expect(await page.getByTestId('refreshes').textContent()).toBe('1');
    await page.screenshot({ path: join(screenshots, '4-after-refresh.png') });

    await page.getByRole('button', { name: 'Answer 429' }).click();
    await page.getByRole('heading', { name: /rate-limited/ }).waitFor();
    expect(await page.textContent('main')).toContain('Try again in 30 seconds');
    await page.screenshot({ path: join(screenshots, '5-rate-limited.png') });

    await page.getByRole('link', { name: 'Back to the dashboard' }).click();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('link', { name: 'Log in with SynergyFlow Pro' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await page.screenshot({ path: join(screenshots, '6-logged-out.png') });
  }, 60_000);
});
