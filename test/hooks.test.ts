import { afterEach, describe, expect, it } from 'vitest';
import { TestBrowser } from 'passport-synergyflow/testing';
import type { HookEvent } from 'passport-synergyflow';
import { startRig, type Rig } from './helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

describe('hooks', () => {
  it('report login, refresh, rate limit, refresh failure and logout with outcome and duration', async () => {
    const events: Array<[string, HookEvent]> = [];
    const record = (name: string) => (event: HookEvent) => void events.push([name, event]);
    rig = await startRig({
      emulator: { accessTokenTtlSeconds: 2 },
      auth: {
        profileTtlSeconds: 0,
        hooks: {
          onLogin: record('login'),
          onRefresh: record('refresh'),
          onRefreshFailed: record('refreshFailed'),
          onRateLimited: record('rateLimited'),
          onLogout: () => {
            events.push(['logout', { outcome: 'success', durationMs: 0 }]);
            throw new Error('a broken hook must not break logout');
          },
        },
      },
    });
    const json = { accept: 'application/json' };
    const browser = await rig.login(new TestBrowser(json));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await browser.request(`${rig.url}/dashboard`);
    rig.emulator.failNext('user', { status: 429, headers: { 'Retry-After': '9' } });
    await browser.request(`${rig.url}/dashboard`);
    rig.emulator.revokeAllTokens();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await browser.request(`${rig.url}/dashboard`);
    // The refused refresh ended that login; log out a second, live one.
    const other = await rig.login(new TestBrowser(json));
    const out = await other.request(`${rig.url}/auth/logout`, { form: {} });
    expect(out.status).toBe(204); // a JSON client: no redirect to follow
    const names = events.map(([name]) => name);
    expect(names).toEqual(['login', 'refresh', 'rateLimited', 'refreshFailed', 'login', 'logout']);
    expect(events[0]?.[1]).toMatchObject({ outcome: 'success', userId: '1' });
    expect(events[1]?.[1]).toMatchObject({ outcome: 'success' });
    expect(events[2]?.[1]).toMatchObject({ outcome: 'SF_RATE_LIMITED', retryAfter: 9 });
    expect(events[3]?.[1]).toMatchObject({ outcome: 'SF_LOGIN_REQUIRED' });
    for (const [, event] of events) expect(event.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('report a failed login with the reason', async () => {
    const outcomes: string[] = [];
    rig = await startRig({
      emulator: { autoApprove: false },
      auth: { hooks: { onLogin: (e) => void outcomes.push(e.outcome) } },
    });
    const browser = new TestBrowser();
    await browser.submitConsent(await browser.request(`${rig.url}/auth/login`), 'deny');
    expect(outcomes).toEqual(['access_denied']);
  });
});
