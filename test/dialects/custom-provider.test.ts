import { afterEach, describe, expect, it } from 'vitest';
import { synergyFlowProvider, type ProviderDescription } from 'passport-synergyflow';
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
