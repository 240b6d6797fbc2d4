import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import cors from 'cors';
import express from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synergyFlow } from 'passport-synergyflow';
import { startSynergyFlowEmulator, TestBrowser, type SynergyFlowEmulator } from 'passport-synergyflow/testing';
import { chromiumAvailable, launchChromiumProfile } from '../helpers/chromium.js';

// An API on http://localhost:A and a single-page app served from http://localhost:B: two origins
// of one site, as `vite` on :5173 and an API on :3000 are.
let emulator: SynergyFlowEmulator;
let api: Server;
let spa: Server;
let apiURL: string;
let spaURL: string;

async function listen(app: express.Express): Promise<[Server, string]> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  return [server, `http://localhost:${(server.address() as AddressInfo).port}`];
}

async function close(server: Server | undefined): Promise<void> {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
}

beforeAll(async () => {
  emulator = await startSynergyFlowEmulator({ autoApprove: true });
  const spaApp = express();
  spaApp.use((_req: express.Request, res: express.Response) => {
    res.type('html').send('<!doctype html><title>SPA</title><h1>SPA</h1>');
  });
  [spa, spaURL] = await listen(spaApp);
  const app = express();
  [api, apiURL] = await listen(app);
  emulator.registerClient({ clientID: 'spa', clientSecret: 'secret', redirectURIs: [`${apiURL}/auth/callback`] });
  const auth = synergyFlow({
    clientID: 'spa',
    clientSecret: 'secret',
    callbackURL: `${apiURL}/auth/callback`,
    baseURL: emulator.url,
    trustedOrigins: [spaURL],
    successRedirect: `${spaURL}/`,
    logoutRedirect: `${spaURL}/signed-out`,
  });
  // The README's settings: CORS for the SPA's origin with credentials, before the routes.
  app.use(cors({ origin: [spaURL], credentials: true }));
  app.use(session({ secret: 'spa-test', resave: false, saveUninitialized: false, cookie: { sameSite: 'lax' } }));
  const passport = new Passport();
  app.use(passport.initialize(), passport.session());
  auth.use(passport);
  app.use('/auth', auth.loginRouter(), auth.callbackRouter(), auth.logoutRouter());
  app.get('/api/me', auth.requireUser(), (req, res) => res.json({ name: req.synergyflow?.profile?.name }));
  app.use(auth.errorHandler());
}, 30_000);

afterAll(async () => {
  await close(api);
  await close(spa);
  await emulator?.close();
});

/** What a browser sends with `fetch(url, { method: 'POST', credentials: 'include' })` from `origin`. */
const fetchFrom = (origin: string, site: 'same-site' | 'cross-site' | 'same-origin') => ({
  origin,
  'sec-fetch-site': site,
  'sec-fetch-mode': 'cors',
  accept: '*/*',
});

describe('a single-page app on a second origin', () => {
  it('login may return to the SPA origin; nothing else off-site', async () => {
    const browser = new TestBrowser();
    const end = await browser.request(`${apiURL}/auth/login?returnTo=${encodeURIComponent(`${spaURL}/after?tab=2`)}`);
    expect(end.url).toBe(`${spaURL}/after?tab=2`);
    for (const evil of [
      'https://evil.example/',
      `${spaURL.replace('localhost', '127.0.0.1')}/x`,
      `http://user@${spaURL.slice(7)}/`,
    ]) {
      const other = await new TestBrowser().request(`${apiURL}/auth/login?returnTo=${encodeURIComponent(evil)}`);
      expect(other.url, evil).toBe(`${spaURL}/`);
    }
  });

  it('the SPA logs out with fetch (204, CORS with credentials); a form gets 303 to the SPA', async () => {
    const browser = new TestBrowser();
    await browser.request(`${apiURL}/auth/login`);
    const cookie = browser.cookieHeader(apiURL);
    const preflight = await request(api)
      .options('/auth/logout')
      .set('origin', spaURL)
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(spaURL);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    const me = await request(api).get('/api/me').set('cookie', cookie).set(fetchFrom(spaURL, 'same-site'));
    expect(me.body).toEqual({ name: 'Test User' });
    const logout = await request(api).post('/auth/logout').set('cookie', cookie).set(fetchFrom(spaURL, 'same-site'));
    expect(logout.status).toBe(204);
    expect(logout.headers['access-control-allow-origin']).toBe(spaURL);
    const after = await request(api).get('/api/me').set('cookie', cookie).set(fetchFrom(spaURL, 'same-site'));
    expect(after.status).toBe(401);

    await browser.request(`${apiURL}/auth/login`);
    const form = await request(api)
      .post('/auth/logout')
      .set('cookie', browser.cookieHeader(apiURL))
      .set({ origin: spaURL, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'navigate', accept: 'text/html' });
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe(`${spaURL}/signed-out`);
  });

  it('other origins of the same site, and other sites, are still refused', async () => {
    const browser = new TestBrowser();
    await browser.request(`${apiURL}/auth/login`);
    const cookie = browser.cookieHeader(apiURL);
    const sibling = spaURL.replace(/:\d+$/, ':1'); // another port: same site, untrusted origin
    for (const headers of [
      fetchFrom(sibling, 'same-site'),
      fetchFrom('https://evil.example', 'cross-site'),
      fetchFrom('null', 'cross-site'),
      { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors', referer: `${spaURL}/` }, // no Origin
      fetchFrom(apiURL, 'cross-site'), // contradictory: our own origin cannot be cross-site
    ]) {
      const post = await request(api)
        .post('/auth/logout')
        .set('cookie', cookie)
        .set(headers)
        .set('accept', 'application/json');
      expect(post.status, JSON.stringify(headers)).toBe(403);
      expect(post.body).toMatchObject({ error: { code: 'SF_CROSS_SITE_REQUEST' } });
    }
    expect((await request(api).get('/api/me').set('cookie', cookie).set('accept', 'application/json')).status).toBe(
      200,
    );
  });

  it.skipIf(!chromiumAvailable)(
    'in Chromium: log in, read /api/me with fetch, log out with fetch',
    async () => {
      const chromium = await launchChromiumProfile();
      const { context } = chromium;
      try {
        const page = await context.newPage();
        await page.goto(`${apiURL}/auth/login?returnTo=${encodeURIComponent(`${spaURL}/app`)}`);
        await page.waitForURL(`${spaURL}/app`);
        const call = (path: string, method = 'GET') =>
          page.evaluate(
            async ([url, verb]) => {
              const answer = await fetch(url as string, { method: verb as string, credentials: 'include' });
              return { status: answer.status, text: await answer.text() };
            },
            [`${apiURL}${path}`, method],
          );
        expect(await call('/api/me')).toEqual({ status: 200, text: '{"name":"Test User"}' });
        expect((await call('/auth/logout', 'POST')).status).toBe(204);
        expect((await call('/api/me')).status).toBe(401);
      } finally {
        await chromium.close();
      }
    },
    60_000,
  );
});
