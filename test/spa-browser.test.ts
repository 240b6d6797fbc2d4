import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import cors from 'cors';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synergyFlow } from 'passport-synergyflow';
import { startSynergyFlowEmulator, type SynergyFlowEmulator } from 'passport-synergyflow/testing';
import { chromiumAvailable, launchChromiumProfile, type ChromiumProfile } from './helpers/chromium.js';

// The example app's single-page app (example-app/public/spa.html) in Chromium, served from a
// sibling origin of its API: http://127.0.0.1:B beside http://127.0.0.1:A, one site, as a Vite
// dev server beside an API. A page on a third, untrusted port of the same site (whose requests
// carry the SameSite=Lax session cookie) and a page on another site (localhost) try forms.
const page = (file: string): string => readFileSync(new URL(`../example-app/public/${file}`, import.meta.url), 'utf8');

let emulator: SynergyFlowEmulator;
const servers: Server[] = [];
let apiURL: string;
let spaURL: string;
let siblingURL: string;
let otherSiteURL: string;
let context: BrowserContext;
let chromium: ChromiumProfile | undefined;

async function listen(app: express.Express, host = '127.0.0.1'): Promise<string> {
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

/** A page with a form that posts to `action` when its button is clicked, as a forger's page does. */
function forgerApp(forms: Record<string, string>): express.Express {
  const app = express();
  app.get('/', (_req, res) => {
    const html = Object.entries(forms)
      .map(([label, action]) => `<form method="post" action="${action}"><button>${label}</button></form>`)
      .join('');
    res.type('html').send(`<!doctype html><title>Forger</title>${html}`);
  });
  return app;
}

beforeAll(async () => {
  emulator = await startSynergyFlowEmulator({ autoApprove: true });
  const spa = express();
  spa.get('/spa.js', (_req, res) => res.type('js').send(page('spa.js')));
  spa.use((_req, res) => void res.type('html').send(page('spa.html').replace('content=""', `content="${apiURL}"`)));
  spaURL = await listen(spa);
  const api = express();
  apiURL = await listen(api);
  siblingURL = await listen(
    forgerApp({ 'Proxy form': `${apiURL}/bff/api/user`, 'Logout form': `${apiURL}/auth/logout` }),
  );
  otherSiteURL = await listen(forgerApp({ 'Proxy form': `${apiURL}/bff/api/user` }), 'localhost');
  emulator.registerClient({ clientID: 'spa', clientSecret: 'secret', redirectURIs: [`${apiURL}/auth/callback`] });
  const auth = synergyFlow({
    clientID: 'spa',
    clientSecret: 'secret',
    callbackURL: `${apiURL}/auth/callback`,
    baseURL: emulator.url,
    trustedOrigins: [spaURL],
    antiForgery: true,
  });
  // The README's SPA settings: CORS for the SPA's origin, with credentials and the header.
  api.use(cors({ origin: [spaURL], credentials: true, allowedHeaders: ['Content-Type', 'X-CSRF'] }));
  api.use(session({ secret: 'spa-browser', resave: false, saveUninitialized: false, cookie: { sameSite: 'lax' } }));
  const passport = new Passport();
  api.use(passport.initialize(), passport.session());
  auth.use(passport);
  api.use('/auth', auth.loginRouter(), auth.callbackRouter(), auth.logoutRouter(), auth.sessionRouter());
  api.use('/bff', auth.apiProxy({ allow: [{ method: 'GET', path: '/api/user' }] }));
  api.use(auth.errorHandler());
  chromium = await launchChromiumProfile();
  context = chromium.context;
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await emulator?.close();
});

/** Clicks a forger's button and returns the API's answer to the form post. */
async function submitForm(tab: Page, label: string): Promise<{ status: number; text: string }> {
  const [answer] = await Promise.all([
    tab.waitForResponse((response) => response.url().startsWith(apiURL)),
    tab.getByRole('button', { name: label }).click(),
  ]);
  return { status: answer.status(), text: await answer.text() };
}

describe.skipIf(!chromiumAvailable)('a single-page app on a sibling origin, in Chromium', () => {
  it('logs in, reads the session, calls the provider through the proxy; forgeries are refused; logs out', async () => {
    const tab = await context.newPage();
    const status = tab.getByTestId('status');
    const output = tab.getByTestId('output');
    await tab.goto(`${spaURL}/`);
    await expect.poll(() => status.textContent()).toBe('Not signed in');

    await tab.getByTestId('login').click();
    await tab.waitForURL(`${spaURL}/`);
    await expect.poll(() => status.textContent()).toBe('Signed in as Test User');
    expect(await tab.getByTestId('health').textContent()).toMatch(/^health: ok; access token until \d{4}-/);

    emulator.resetCounters();
    await tab.getByTestId('call').click();
    await expect.poll(() => output.textContent()).toMatch(/^200 \{.*"name":"Test User"/);
    expect(emulator.counters.user).toBe(1);
    await tab.getByTestId('forged').click();
    await expect.poll(() => output.textContent()).toMatch(/^403 .*"reason":"missing_anti_forgery_header"/);
    expect(emulator.counters.user).toBe(1);
    // Nothing the page can reach holds a token: no cookie readable by script, no answer.
    expect(await tab.evaluate(() => document.cookie)).toBe('');
    const seen = (await output.textContent()) ?? '';
    for (const secret of emulator.issuedSecrets()) expect(seen).not.toContain(secret);

    const forger = await context.newPage();
    await forger.goto(`${siblingURL}/`);
    const sameSiteProxy = await submitForm(forger, 'Proxy form');
    expect(sameSiteProxy.status).toBe(403);
    expect(sameSiteProxy.text).toContain('anti-forgery header');
    await forger.goto(`${siblingURL}/`);
    const sameSiteLogout = await submitForm(forger, 'Logout form');
    expect(sameSiteLogout.status).toBe(403);
    await forger.goto(`${otherSiteURL}/`);
    expect((await submitForm(forger, 'Proxy form')).status).toBe(403);
    expect(emulator.counters.user).toBe(1);
    await forger.close();

    await tab.reload();
    await expect.poll(() => status.textContent()).toBe('Signed in as Test User');
    await tab.getByTestId('logout').click();
    await expect.poll(() => status.textContent()).toBe('Not signed in');
    expect(await output.textContent()).toBe('204 ');
    await tab.getByTestId('call').click();
    await expect.poll(() => output.textContent()).toMatch(/^401 .*SF_LOGIN_REQUIRED/);
  }, 60_000);
});
