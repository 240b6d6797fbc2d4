import { afterEach, describe, expect, it } from 'vitest';
import { defineProvider, synergyFlowProvider, type ProviderDescription } from 'passport-synergyflow';
import { TestBrowser } from 'passport-synergyflow/testing';
import { startRig, type Rig } from '../helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

// A user's own description of a similar provider: SynergyFlow's, renamed, with refresh tokens
// that live 1.5 s (SynergyFlow Pro: 30 days) so the horizon can be crossed in a test.
const acme: ProviderDescription = { ...synergyFlowProvider, name: 'acme', lifetimes: { refreshTokenTtlMs: 1500 } };

describe('a provider description written by the app', () => {
  it('logs in, marks the profile with its own name, and honours its refresh-token horizon', async () => {
    rig = await startRig({ auth: { provider: acme }, emulator: { accessTokenTtlSeconds: 1 } });
    const browser = await rig.login(new TestBrowser({ accept: 'application/json' }));
    const dashboard = await browser.request(`${rig.url}/dashboard`);
    expect(JSON.parse(dashboard.text)).toMatchObject({ user: { provider: 'acme', name: 'Test User' } });
    await new Promise((resolve) => setTimeout(resolve, 1600));
    rig.emulator.resetCounters();
    const expired = await browser.request(`${rig.url}/dashboard`);
    expect(expired.status).toBe(401);
    // The refresh token is past its horizon: the user is sent to log in without a doomed call.
    expect(JSON.parse(expired.text)).toMatchObject({
      error: { code: 'SF_LOGIN_REQUIRED', reason: 'refresh_token_expired' },
    });
    expect(rig.emulator.counters.token).toBe(0);
  });
});

// A new plain dialect written with defineProvider(): its endpoints and its profile, nothing else.
// The token request, the token answer and the Bearer header are the standard ones it fills in.
const plain = defineProvider({
  name: 'plain',
  baseURL: 'https://id.plain.example',
  authorizationPath: '/oauth/authorize',
  tokenPath: '/oauth/token',
  userPath: '/api/user',
  defaultScope: ['user:read'],
  parseProfile: (body) => {
    // The whole answer in `raw`: the session keeps only that, and makes the profile from it again.
    const answer = body as { id: number; name: string };
    const name = `${answer.name} (plain)`;
    return { provider: 'plain', id: String(answer.id), name, email: null, emailVerified: false, raw: { ...answer } };
  },
});

describe('a dialect written with defineProvider()', () => {
  it('logs in, reads the profile its way and refreshes with the standard token request', async () => {
    rig = await startRig({ auth: { provider: plain }, emulator: { accessTokenTtlSeconds: 1 } });
    const browser = await rig.login(new TestBrowser({ accept: 'application/json' }));
    const first = await browser.request(`${rig.url}/dashboard`);
    expect(JSON.parse(first.text)).toMatchObject({ user: { provider: 'plain', name: 'Test User (plain)' } });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const refreshed = await browser.request(`${rig.url}/dashboard`);
    expect(refreshed.status).toBe(200);
    expect(rig.emulator.counters.refreshGrants).toBe(1);
    // The standard request: form-encoded, the client in the body, the refresh token rotated in.
    const refresh = rig.emulator.calls.find(
      (call) => call.endpoint === 'token' && call.body.grant_type === 'refresh_token',
    );
    expect(refresh?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(refresh?.body).toMatchObject({ client_id: rig.auth.config.clientID });
  });

  it('is frozen, and refuses a profile endpoint it cannot read', () => {
    expect(Object.isFrozen(plain)).toBe(true);
    expect(() =>
      defineProvider({
        name: 'x',
        baseURL: 'https://x.example',
        authorizationPath: undefined,
        tokenPath: '/t',
        userPath: '/me',
      }),
    ).toThrow('provider "x" has a userPath, so it needs parseProfile');
  });
});
