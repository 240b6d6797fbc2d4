import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import { afterEach, describe, expect, it } from 'vitest';
import { synapseFiProvider, synergyFlow, type HookEvent } from 'passport-synergyflow';
import {
  FakeClock,
  startSynapseFiEmulator,
  TestBrowser,
  type SynapseFiEmulator,
  type SynapseFiEmulatorOptions,
} from 'passport-synergyflow/testing';

let emulator: SynapseFiEmulator;
let clock: FakeClock;
let server: Server;
let url: string;
const refreshEvents: HookEvent[] = [];

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await emulator?.close();
  refreshEvents.length = 0;
});

/** A platform app: it created the user at SynapseFi and holds the refresh token. */
async function start(options: Partial<SynapseFiEmulatorOptions> = {}, scope?: string[]): Promise<void> {
  clock = new FakeClock();
  emulator = await startSynapseFiEmulator({
    clientID: 'client_id_abc',
    clientSecret: 'client_secret_xyz',
    clock: clock.now,
    ...options,
  });
  const auth = synergyFlow({
    provider: synapseFiProvider,
    baseURL: emulator.url,
    clientID: 'client_id_abc',
    clientSecret: 'client_secret_xyz',
    clock: clock.now,
    hooks: { onRefresh: (event) => void refreshEvents.push(event) },
    ...(scope ? { scope } : {}),
  });
  const app = express();
  app.use(express.json());
  app.use(session({ secret: 'platform', resave: false, saveUninitialized: false }));
  app.post('/attach', (req, res, next) => {
    const { userId, refreshToken } = req.body as { userId: string; refreshToken: string };
    auth
      .attachUser(req, { userId, refreshToken, fingerprint: 'fp_device_1', userIp: '203.0.113.7' })
      .then(() => res.json({ ok: true }), next);
  });
  app.post('/2fa', (req, res, next) => {
    auth
      .accessToken(req, req.body as { phoneNumber?: string; validationPin?: string })
      .then((a) => res.json({ refreshUsesLeft: a.refreshUsesLeft }), next);
  });
  app.get('/me/:userId', auth.requireToken(), (req, res, next) => {
    auth
      .apiGet(req, `/v3.1/users/${encodeURIComponent(String(req.params.userId))}`)
      .then(async (user) => {
        const token = await req.synergyflow?.token();
        res.json({ user, refreshUsesLeft: token?.refreshUsesLeft, expiresAt: token?.expiresAt });
      })
      .catch(next);
  });
  app.use(auth.errorHandler());
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = { accept: 'application/json' };
async function fetchJSON(
  browser: TestBrowser,
  path: string,
  body: object,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const answer = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', cookie: browser.cookieHeader(url) },
    body: JSON.stringify(body),
  });
  const cookie = answer.headers.get('set-cookie');
  if (cookie)
    browser.setCookie(url, cookie.split('=')[0] ?? '', (cookie.split(';')[0] ?? '').split('=').slice(1).join('='));
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
}

async function attached(
  userId: string,
  options: { phoneNumbers?: string[]; knownFingerprints?: string[] } = { knownFingerprints: ['fp_device_1'] },
): Promise<TestBrowser> {
  const browser = new TestBrowser(json);
  const refreshToken = emulator.createUser(userId, options);
  expect((await fetchJSON(browser, '/attach', { userId, refreshToken })).status).toBe(200);
  return browser;
}

const me = async (browser: TestBrowser, userId: string) => {
  const answer = await browser.request(`${url}/me/${userId}`);
  return { status: answer.status, body: JSON.parse(answer.text) as Record<string, unknown> };
};

describe('the SynapseFi-style OAuth key dialect (seed 002)', () => {
  it('trades the attached refresh token for an OAuth key and calls the API with X-SP-USER', async () => {
    await start();
    const browser = await attached('5bb6ab05472e2500adffad5a');
    const first = await me(browser, '5bb6ab05472e2500adffad5a');
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({ _id: '5bb6ab05472e2500adffad5a' });
    expect(first.body.refreshUsesLeft).toBe(9);
    expect(emulator.counters.oauth).toBe(1);
    expect((await me(browser, '5bb6ab05472e2500adffad5a')).status).toBe(200);
    expect(emulator.counters.oauth).toBe(1);
  });

  it('asks SynapseFi for the configured scopes', async () => {
    await start({}, ['USER|GET', 'NODES|GET']);
    const browser = await attached('u-scope');
    expect((await me(browser, 'u-scope')).status).toBe(200);
    expect(emulator.lastRequest.scope).toEqual(['USER|GET', 'NODES|GET']);
    expect(emulator.lastRequest).not.toHaveProperty('phone_number');
  });

  it('surfaces 2FA as TwoFactorRequiredError and completes it with a phone number, then the PIN', async () => {
    await start();
    const browser = await attached('u-2fa', { phoneNumbers: ['901.111.1111', '901.222.2222'] });
    const challenge = await me(browser, 'u-2fa');
    expect(challenge.status).toBe(403);
    expect(challenge.body).toMatchObject({ error: { code: 'SF_TWO_FACTOR_REQUIRED' } });
    const phone = await fetchJSON(browser, '/2fa', { phoneNumber: '901.222.2222' });
    expect(phone.status).toBe(403);
    expect(phone.body).toMatchObject({
      error: { code: 'SF_TWO_FACTOR_REQUIRED', message: expect.stringContaining('validation_pin') as string },
    });
    const pin = await fetchJSON(browser, '/2fa', { validationPin: emulator.sentPins.get('u-2fa') });
    expect(pin.status).toBe(200);
    expect((await me(browser, 'u-2fa')).status).toBe(200);
  });

  it('refreshes the key before it expires and persists each rotated refresh token', async () => {
    await start({ oauthKeyTtlSeconds: 120, rotateEvery: 1 });
    const browser = await attached('u-rotate');
    expect((await me(browser, 'u-rotate')).status).toBe(200);
    for (let round = 0; round < 3; round += 1) {
      clock.advance(70); // within the 60 s skew of expiry, and past half the key's life
      expect((await me(browser, 'u-rotate')).status).toBe(200);
    }
    // Every answer rotated the refresh token; a lost rotation would have made a refresh fail.
    expect(emulator.counters.oauth).toBe(4);
  });

  it('counts uses left, tells the app, and asks for a new attachment before a dead token is used', async () => {
    await start({ oauthKeyTtlSeconds: 120, rotateEvery: 0, refreshUses: 3 });
    const browser = await attached('u-uses');
    const seen: unknown[] = [];
    for (let round = 0; round < 3; round += 1) {
      if (round > 0) clock.advance(70);
      const answer = await me(browser, 'u-uses');
      expect(answer.status).toBe(200);
      seen.push(answer.body.refreshUsesLeft);
    }
    expect(seen).toEqual([2, 1, 0]);
    expect(refreshEvents.map((e) => e.refreshUsesLeft)).toEqual([2, 1, 0]);
    clock.advance(70);
    const calls = emulator.counters.oauth;
    // No uses left: the key serves until it expires, then the user must be attached again.
    expect((await me(browser, 'u-uses')).status).toBe(200);
    clock.advance(51);
    const dead = await me(browser, 'u-uses');
    expect(dead.status).toBe(401);
    expect(dead.body).toMatchObject({ error: { code: 'SF_LOGIN_REQUIRED', reason: 'refresh_token_expired' } });
    expect(emulator.counters.oauth).toBe(calls);
  });

  it('20 concurrent requests with an expired key share one key request', async () => {
    await start({ oauthKeyTtlSeconds: 120 });
    const browser = await attached('u-burst');
    await me(browser, 'u-burst');
    clock.advance(70);
    const answers = await Promise.all(Array.from({ length: 20 }, () => me(browser, 'u-burst')));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(emulator.counters.oauth).toBe(2);
  });

  it('maps its errors: 429 → RateLimitError, 500 → ProviderError, a refused refresh token → LoginRequiredError', async () => {
    await start();
    const browser = await attached('u-errors');
    emulator.failNext('oauth', { status: 429, headers: { 'Retry-After': '12' } });
    const limited = await me(browser, 'u-errors');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: { code: 'SF_RATE_LIMITED', retryAfter: 12 } });
    // A session with nothing attached is told to attach, without a provider call.
    const calls = emulator.counters.oauth;
    expect((await me(new TestBrowser(json), 'u-errors')).status).toBe(401);
    expect(emulator.counters.oauth).toBe(calls);
    const other = await attached('u-errors-2');
    emulator.failNext('oauth', { status: 500 });
    expect((await me(other, 'u-errors-2')).body).toMatchObject({ error: { code: 'SF_PROVIDER_ERROR' } });
    const revoked = new TestBrowser(json);
    await fetchJSON(revoked, '/attach', { userId: 'u-errors', refreshToken: 'refresh_not_issued' });
    const refused = await me(revoked, 'u-errors');
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: { code: 'SF_LOGIN_REQUIRED', reason: 'refresh_refused' } });
  });
});
