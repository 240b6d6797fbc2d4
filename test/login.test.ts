import { afterEach, describe, expect, it } from 'vitest';
import { startRig, type Rig } from './helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

describe('login, callback and a protected route', () => {
  it('walks login → consent → callback → dashboard with state and PKCE S256', async () => {
    rig = await startRig({ emulator: { autoApprove: false } });
    const browser = rig.browser();
    const consent = await browser.request(`${rig.url}/auth/login`);
    expect(consent.status).toBe(200);
    expect(consent.text).toContain('Approve');
    const authorize = new URL(browser.history[0]?.location ?? '');
    expect(authorize.origin + authorize.pathname).toBe(`${rig.emulator.url}/oauth/authorize`);
    expect(authorize.searchParams.get('response_type')).toBe('code');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('scope')).toBe('user:read');
    const landed = await browser.submitConsent(consent, 'approve');
    expect(landed.url).toBe(`${rig.url}/`);
    const dashboard = await browser.request(`${rig.url}/dashboard`, { headers: { accept: 'application/json' } });
    expect(dashboard.status).toBe(200);
    const body = JSON.parse(dashboard.text) as { user: { id: string; name: string; emailVerified: boolean } };
    expect(body.user).toMatchObject({ id: '1', name: 'Test User', emailVerified: true });
    expect(rig.emulator.counters.authorizationCodeGrants).toBe(1);
  });
});
