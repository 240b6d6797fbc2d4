import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestBrowser, type SynergyFlowEmulator, type TestApp } from 'passport-synergyflow/testing';
import { createApp } from '../example-app/app.js';

let testApp: TestApp;
let emulator: SynergyFlowEmulator;
let url: string;

beforeAll(async () => {
  // The consent page stays on: the walk-through below clicks Approve and Cancel.
  testApp = await startTestApp(
    (options, context) => createApp({ ...options, sessionSecret: 'test', emulator: context.emulator }),
    { emulator: { autoApprove: false }, clientID: 'example-client', clientSecret: 'example-secret' },
  );
  ({ emulator, url } = testApp);
});

afterAll(() => testApp.close());

const csrfOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe('example app (acceptance)', () => {
  it('walks home → login → consent → dashboard → misbehaviours → logout', async () => {
    const browser = new TestBrowser();
    const home = await browser.request(`${url}/`);
    expect(home.text).toContain('Log in with SynergyFlow Pro');
    const consent = await browser.request(`${url}/auth/login?returnTo=%2Fdashboard`);
    expect(consent.url.startsWith(emulator.url)).toBe(true);
    expect(consent.text).toContain('Approve');
    const dashboard = await browser.submitConsent(consent, 'approve');
    expect(dashboard.url).toBe(`${url}/dashboard`);
    expect(dashboard.text).toContain('Hello, Test User');
    expect(dashboard.text).toContain('verified');

    emulator.resetCounters();
    const expired = await browser.request(`${url}/demo/expire`, { form: { _csrf: csrfOf(dashboard.text) } });
    expect(expired.status).toBe(200);
    expect(expired.text).toContain('Hello, Test User');
    expect(emulator.counters.refreshGrants).toBe(1);
    expect(/data-testid="refreshes">(\d+)</.exec(expired.text)?.[1]).toBe('1');

    const limited = await browser.request(`${url}/demo/ratelimit`, { form: { _csrf: csrfOf(expired.text) } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(limited.text).toContain('rate-limited');

    const api = await browser.request(`${url}/api/me`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(429);
    expect(JSON.parse(api.text)).toMatchObject({ error: { code: 'SF_RATE_LIMITED' } });

    const refused = await browser.request(`${url}/demo/error`, { form: { _csrf: 'forged' } });
    expect(refused.status).toBe(403);

    const back = await browser.request(`${url}/dashboard`);
    const out = await browser.request(`${url}/auth/logout`, { form: { _csrf: csrfOf(back.text) } });
    expect(out.url).toBe(`${url}/`);
    expect(out.text).toContain('Log in with SynergyFlow Pro');
  });

  it('shows denied consent as a plain-words failure page', async () => {
    const browser = new TestBrowser();
    const consent = await browser.request(`${url}/auth/login`);
    const failed = await browser.submitConsent(consent, 'deny');
    expect(failed.url).toBe(`${url}/login-failed?error=access_denied`);
    expect(failed.text).toContain('You cancelled the consent screen');
  });

  it('shows 403 and 500 from the provider as readable pages', async () => {
    const browser = new TestBrowser();
    const dashboard = await browser.submitConsent(
      await browser.request(`${url}/auth/login?returnTo=%2Fdashboard`),
      'approve',
    );
    const forbidden = await browser.request(`${url}/demo/forbidden`, { form: { _csrf: csrfOf(dashboard.text) } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toContain('missing permission');
    const broken = await browser.request(`${url}/demo/error`, { form: { _csrf: csrfOf(dashboard.text) } });
    expect(broken.status).toBe(502);
    expect(broken.text).toContain('not answering properly');
  });
});
