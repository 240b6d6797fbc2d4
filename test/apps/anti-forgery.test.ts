import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokenStore, synergyFlow, type TokenSet } from 'passport-synergyflow';
import type { Request } from 'express';
import { rawRequest, type RawAnswer } from '../helpers/raw-http.js';
import { startRig, type Rig } from '../helpers/rig.js';

/** The default store, counting its reads: a refused request must not reach it. */
class CountingStore extends SessionTokenStore {
  reads = 0;
  override async get(req: Request): Promise<TokenSet | undefined> {
    this.reads += 1;
    return super.get(req);
  }
}

let rig: Rig;
let cookie: string;
const store = new CountingStore();

beforeAll(async () => {
  rig = await startRig({
    // Every requireUser() loads the profile, so token work would show in the counters.
    auth: { antiForgery: true, tokenStore: store, profileTtlSeconds: 0 },
    routes(app, auth) {
      app.post('/things', auth.requireUser(), (_req, res) => res.json({ ok: true }));
      app.get('/things', auth.requireUser(), (_req, res) => res.json({ ok: true }));
      app.get('/open', auth.requireUser({ antiForgery: false }), (_req, res) => res.json({ ok: true }));
      app.get('/custom', auth.requireUser({ antiForgery: { header: 'X-Requested-By', value: 'spa' } }), (_req, res) =>
        res.json({ ok: true }),
      );
      app.post('/own', auth.antiForgery(), (_req, res) => res.json({ ok: true }));
    },
  });
  cookie = (await rig.login()).cookieHeader(rig.url);
}, 30_000);

afterAll(async () => rig?.close());

function call(method: string, path: string, headers: Record<string, string>): Promise<RawAnswer> {
  return rawRequest(rig.url, method, path, { cookie, ...headers });
}

const fetchMode = { 'sec-fetch-mode': 'cors', 'sec-fetch-site': 'same-site', accept: 'application/json' };

describe('the antiForgery option', () => {
  it('refuses fetch() calls without the header with 403 before any token work', async () => {
    const reads = store.reads;
    const calls = rig.emulator.counters.user + rig.emulator.counters.token;
    for (const [method, headers] of [
      ['GET', fetchMode],
      ['POST', fetchMode],
      ['POST', { ...fetchMode, 'x-csrf': '2' }],
      // No Sec-Fetch-* at all (an old browser, a script): only a GET asking for HTML is a navigation.
      ['GET', { accept: 'application/json' }],
      ['GET', { accept: '*/*' }],
      // A cross-site form, and a page framed by another site, are not top-level navigations that may pass.
      ['POST', { 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'cross-site', accept: 'text/html' }],
      ['GET', { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe', accept: 'application/json' }],
    ] as const) {
      const answer = await call(method, '/things', headers);
      expect(answer.status, `${method} ${JSON.stringify(headers)}`).toBe(403);
      expect(answer.headers['cache-control']).toBe('no-store');
      if (headers.accept === 'application/json') {
        expect(answer.json()).toMatchObject({
          error: { code: 'SF_CROSS_SITE_REQUEST', reason: 'missing_anti_forgery_header' },
        });
      }
    }
    expect(store.reads).toBe(reads);
    expect(rig.emulator.counters.user + rig.emulator.counters.token).toBe(calls);
  });

  it('lets calls with the header through, and top-level navigations without it', async () => {
    expect((await call('POST', '/things', { ...fetchMode, 'x-csrf': '1' })).status).toBe(200);
    expect((await call('GET', '/things', { ...fetchMode, 'X-CSRF': '1' })).status).toBe(200);
    const navigate = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', accept: 'text/html' };
    expect((await call('GET', '/things', navigate)).status).toBe(200);
    expect((await call('GET', '/things', { accept: 'text/html,*/*;q=0.8' })).status).toBe(200);
    // A navigation without a login is still sent to log in, not refused.
    const anonymous = await rawRequest(rig.url, 'GET', '/things', navigate);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/auth\/login\?returnTo=/);
  });

  it('a route may lift it or name its own header; auth.antiForgery() guards the app’s own routes', async () => {
    expect((await call('GET', '/open', fetchMode)).status).toBe(200);
    expect((await call('GET', '/custom', { ...fetchMode, 'x-csrf': '1' })).status).toBe(403);
    expect((await call('GET', '/custom', { ...fetchMode, 'x-requested-by': 'spa' })).status).toBe(200);
    expect((await call('POST', '/own', fetchMode)).status).toBe(403);
    expect((await call('POST', '/own', { ...fetchMode, 'x-csrf': '1' })).status).toBe(200);
  });

  it("keeps the package's own logout form working", async () => {
    const browser = await rig.login();
    const end = await browser.request(`${rig.url}/auth/logout`, { form: {}, follow: false });
    expect(end.status).toBe(303);
  });

  it('is validated once: a header a form can send proves nothing', () => {
    const base = { clientID: 'a', clientSecret: 'b', callbackURL: 'https://app.example/cb' };
    expect(() => synergyFlow({ ...base, antiForgery: { header: 'Content-Type' } })).toThrow(
      /option "antiForgery.header" must be a custom header/,
    );
    expect(() => synergyFlow({ ...base, antiForgery: { header: 'X-CSRF', value: '' } })).toThrow(/antiForgery.value/);
    expect(() => synergyFlow({ ...base, antiForgery: 'yes' as never })).toThrow(/option "antiForgery"/);
    expect(synergyFlow({ ...base, antiForgery: true }).config.antiForgery).toEqual({ header: 'x-csrf', value: '1' });
  });
});
