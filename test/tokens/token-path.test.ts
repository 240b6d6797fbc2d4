// Every entry point to a token ends a failure in the same state: the one token path (issue 10).
import type { NextFunction, Request, Response } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestBrowser } from 'passport-synergyflow/testing';
import { startRig, type Rig } from '../helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

const json = { accept: 'application/json' };
const ACCESS_TOKEN_TTL_SECONDS = 3600;

type Entry = 'requireUser' | 'requireToken' | 'accessToken' | 'apiGet' | 'apiProxy';
const ENTRIES: readonly Entry[] = ['requireUser', 'requireToken', 'accessToken', 'apiGet', 'apiProxy'];
/** The entry points that call the provider's API with the token (and so can meet a 401 or 429). */
const API_ENTRIES: readonly Entry[] = ['requireUser', 'apiGet', 'apiProxy'];

async function start(): Promise<Rig> {
  return startRig({
    clock: true,
    // A profile TTL of 0 makes requireUser call /api/user on every request, like apiGet.
    auth: { profileTtlSeconds: 0 },
    emulator: { accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS },
    routes(app, auth) {
      const ok = (_req: Request, res: Response) => res.json({ ok: true });
      app.get('/via/requireUser', auth.requireUser({ serveStaleOnRateLimit: false }), ok);
      app.get('/via/requireToken', auth.requireToken(), ok);
      app.get('/via/accessToken', (req, res, next) => {
        auth.accessToken(req).then(() => res.json({ ok: true }), next);
      });
      app.get('/via/apiGet', (req, res, next) => {
        auth.apiGet(req, '/api/user').then(() => res.json({ ok: true }), next);
      });
      // The proxy forwards /via/apiProxy as the provider's /api/user (the header is lifted here).
      const proxy = auth.apiProxy({ allow: [{ method: 'GET', path: '/api/user' }], antiForgery: false });
      app.use('/via/apiProxy', (req: Request, res: Response, next: NextFunction) => {
        req.url = '/api/user';
        proxy(req, res, next);
      });
      app.get('/state', (req, res, next) => {
        auth.tokenStore
          .get(req)
          .then(
            (tokens) =>
              res.json({ tokens: tokens !== undefined, profile: req.session.synergyflow?.profile !== undefined }),
            next,
          );
      });
      app.post('/drop-tokens', (req, res, next) => {
        auth.tokenStore.clear(req).then(() => res.json({ ok: true }), next);
      });
    },
  });
}

async function call(browser: TestBrowser, path: string, method = 'GET') {
  const answer = await browser.request(`${rig.url}${path}`, { method, headers: json });
  return { status: answer.status, body: JSON.parse(answer.text) as Record<string, Record<string, unknown>> };
}

const state = async (browser: TestBrowser) => (await call(browser, '/state')).body;

describe('one token path: a failure ends in the same state whichever entry point met it', () => {
  for (const entry of ENTRIES) {
    it(`F16: ${entry}: no token set → 401 login required (no_tokens), profile forgotten`, async () => {
      rig = await start();
      const browser = await rig.login();
      await call(browser, '/drop-tokens', 'POST');
      const answer = await call(browser, `/via/${entry}`);
      expect(answer.status).toBe(401);
      expect(answer.body.error).toMatchObject({ code: 'SF_LOGIN_REQUIRED', reason: 'no_tokens' });
      expect(await state(browser)).toEqual({ tokens: false, profile: false });
    });

    it(`F16: ${entry}: refresh refused → 401 login required (refresh_refused), tokens and profile forgotten`, async () => {
      rig = await start();
      const browser = await rig.login();
      rig.clock?.advance(ACCESS_TOKEN_TTL_SECONDS + 1);
      rig.emulator.failNext('token', { status: 400, body: { error: 'invalid_grant' } });
      const answer = await call(browser, `/via/${entry}`);
      expect(answer.status).toBe(401);
      expect(answer.body.error).toMatchObject({ code: 'SF_LOGIN_REQUIRED', reason: 'refresh_refused' });
      expect(await state(browser)).toEqual({ tokens: false, profile: false });
      expect((await call(browser, `/via/${entry}`)).body.error).toMatchObject({ code: 'SF_LOGIN_REQUIRED' });
    });

    it(`F16: ${entry}: provider down during a refresh of an expired token → 502, login kept`, async () => {
      rig = await start();
      const browser = await rig.login();
      rig.clock?.advance(ACCESS_TOKEN_TTL_SECONDS + 1);
      rig.emulator.failNext('token', { status: 500 });
      const answer = await call(browser, `/via/${entry}`);
      expect(answer.status).toBe(502);
      expect(answer.body.error).toMatchObject({ code: 'SF_PROVIDER_ERROR' });
      expect(await state(browser)).toEqual({ tokens: true, profile: true });
      rig.clock?.advance(6); // past the failure back-off
      expect((await call(browser, `/via/${entry}`)).status).toBe(200);
    });
  }

  for (const entry of API_ENTRIES) {
    it(`F16: ${entry}: 401, refresh, 401 again → 401 unauthorized, tokens and profile forgotten`, async () => {
      rig = await start();
      const browser = await rig.login();
      rig.emulator.resetCounters();
      rig.emulator.failNext('user', { status: 401 }, 2);
      const answer = await call(browser, `/via/${entry}`);
      expect(answer.status).toBe(401);
      expect(answer.body.error).toMatchObject({ code: 'SF_UNAUTHORIZED' });
      expect(rig.emulator.counters.refreshGrants).toBe(1);
      expect(await state(browser)).toEqual({ tokens: false, profile: false });
      for (const other of ENTRIES) {
        expect((await call(browser, `/via/${other}`)).body.error, other).toMatchObject({ code: 'SF_LOGIN_REQUIRED' });
      }
    });

    it(`F16: ${entry}: 429 → 429 with Retry-After, login kept`, async () => {
      rig = await start();
      const browser = await rig.login();
      rig.emulator.failNext('user', { status: 429, headers: { 'retry-after': '7' } });
      const answer = await browser.request(`${rig.url}/via/${entry}`, { headers: json });
      expect(answer.status).toBe(429);
      expect(answer.headers.get('retry-after')).toBe('7');
      expect(await state(browser)).toEqual({ tokens: true, profile: true });
      rig.clock?.advance(8);
      expect((await call(browser, `/via/${entry}`)).status).toBe(200);
    });
  }
});
