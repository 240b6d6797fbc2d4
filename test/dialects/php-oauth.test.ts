import { afterEach, describe, expect, it } from 'vitest';
import { phpOAuthProvider } from 'passport-synergyflow';
import { startPhpOAuthEmulator, TestBrowser, type PhpOAuthEmulator } from 'passport-synergyflow/testing';
import { CLIENT_ID, CLIENT_SECRET, startRig, type Rig } from '../helpers/rig.js';

let rig: Rig;
let php: PhpOAuthEmulator;
afterEach(async () => {
  await rig?.close();
  await php?.close();
});

const json = { accept: 'application/json' };

async function start(
  options: { accessTokenTtlSeconds?: number; rateLimit?: number; autoApprove?: boolean; clock?: boolean } = {},
): Promise<void> {
  const { clock, ...emulator } = options;
  php = await startPhpOAuthEmulator({ autoApprove: options.autoApprove ?? true, ...emulator });
  rig = await startRig({
    clock: clock ?? false,
    auth: { provider: phpOAuthProvider, baseURL: php.url, profileTtlSeconds: 0 },
    routes(app, auth) {
      app.get('/live', auth.requireUser({ profileTtlSeconds: 0, serveStaleOnRateLimit: false }), (req, res) =>
        res.json({ user: req.user }),
      );
    },
  });
  php.registerClient({ clientID: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectURIs: [`${rig.url}/auth/callback`] });
}

describe('the PHP-style OAuth dialect (seed 001)', () => {
  it('logs in through its consent page and maps { username, email, full_name } to the normalised profile', async () => {
    await start({ autoApprove: false });
    const browser = new TestBrowser();
    const consent = await browser.request(`${rig.url}/auth/login?returnTo=/dashboard`);
    expect(consent.url.startsWith(`${php.url}/api/authorize.php`)).toBe(true);
    const start1 = new URL(browser.history[0]?.location ?? '');
    expect(start1.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(start1.searchParams.has('scope')).toBe(false);
    const dashboard = await browser.submitConsent(consent, 'approve');
    expect(dashboard.url).toBe(`${rig.url}/dashboard`);
    const body = JSON.parse(dashboard.text) as { user: Record<string, unknown> };
    expect(body.user).toEqual({
      provider: 'php-oauth',
      id: 'johndoe',
      name: 'John Doe',
      email: 'john@example.com',
      emailVerified: false,
      raw: { username: 'johndoe', email: 'john@example.com', full_name: 'John Doe' },
    });
    expect(php.counters.token).toBe(1);
  });

  it('an expired token without refresh means log in again: browsers redirected, API clients 401, no token call', async () => {
    // The app runs on a fake clock, so how long the machine takes between the steps cannot
    // expire the token early; the emulator's own (real) 60 s stay far away.
    await start({ accessTokenTtlSeconds: 60, clock: true });
    const browser = await rig.login();
    // Past half its life the token still serves (there is nothing to refresh it with)...
    rig.clock!.advance(31);
    expect((await browser.request(`${rig.url}/dashboard`, { headers: json })).status).toBe(200);
    // ...and once it has expired, the user must log in again.
    rig.clock!.advance(30);
    const tokenCalls = php.counters.token;
    const api = await browser.request(`${rig.url}/dashboard`, { headers: json });
    expect(api.status).toBe(401);
    expect(JSON.parse(api.text)).toMatchObject({
      error: { code: 'SF_LOGIN_REQUIRED', reason: 'access_token_expired' },
    });
    const html = await browser.request(`${rig.url}/dashboard`, { follow: false });
    expect(html.location).toBe(`${rig.url}/auth/login?returnTo=%2Fdashboard`);
    expect(php.counters.token).toBe(tokenCalls);
  });

  it('a token the API refuses (401 invalid_token) also means log in again', async () => {
    await start();
    const browser = await rig.login();
    php.expireAccessTokens();
    const answer = await browser.request(`${rig.url}/dashboard`, { headers: json });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'SF_LOGIN_REQUIRED' } });
  });

  it('maps its errors: invalid_code → LoginFailedError, invalid_client → ProviderError, 429 → RateLimitError', async () => {
    await start({ rateLimit: 2 });
    php.failNext('token', {
      status: 400,
      body: { error: 'invalid_code', error_description: 'The authorization code is invalid or expired' },
    });
    const failed = await new TestBrowser(json).request(`${rig.url}/auth/login`);
    expect(failed.status).toBe(400);
    expect(JSON.parse(failed.text)).toMatchObject({ error: { code: 'SF_LOGIN_FAILED', reason: 'invalid_grant' } });
    php.failNext('token', {
      status: 401,
      body: { error: 'invalid_client', error_description: 'Client authentication failed' },
    });
    const client = await new TestBrowser(json).request(`${rig.url}/auth/login`);
    expect(client.status).toBe(502);
    expect(JSON.parse(client.text)).toMatchObject({ error: { code: 'SF_PROVIDER_ERROR' } });
    const browser = await rig.login(); // uses 1 of the 2 calls allowed per minute
    expect((await browser.request(`${rig.url}/live`, { headers: json })).status).toBe(200);
    const limited = await browser.request(`${rig.url}/live`, { headers: json });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(JSON.parse(limited.text)).toMatchObject({ error: { code: 'SF_RATE_LIMITED' } });
  });
});
