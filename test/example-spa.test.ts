import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestBrowser, type TestApp } from 'passport-synergyflow/testing';
import { createApp } from '../example-app/app.js';

// The example app's single-page app, from the server's side: the page is served, and what its
// script calls (the session endpoint, the proxy) answers as it expects.
let testApp: TestApp;
beforeAll(async () => {
  testApp = await startTestApp(
    (options, context) => createApp({ ...options, sessionSecret: 'test', emulator: context.emulator }),
    { clientID: 'example-client', clientSecret: 'example-secret' },
  );
});
afterAll(() => testApp.close());

const script = { accept: 'application/json', 'x-csrf': '1' };

describe('example app: the single-page app', () => {
  it('serves the page, and its calls answer with the X-CSRF header and refuse without it', async () => {
    const { url } = testApp;
    const browser = new TestBrowser();
    expect((await browser.request(`${url}/`)).text).toContain('href="/spa.html"');
    const page = await browser.request(`${url}/spa.html`);
    expect(page.text).toContain('<script src="/spa.js"></script>');
    expect((await browser.request(`${url}/spa.js`)).text).toContain("'X-CSRF': '1'");
    const anonymous = await browser.request(`${url}/auth/session`, { headers: script });
    expect(JSON.parse(anonymous.text)).toEqual({ loggedIn: false, health: 'login_required' });

    await browser.request(`${url}/auth/login?returnTo=%2Fspa.html`);
    const session = JSON.parse((await browser.request(`${url}/auth/session`, { headers: script })).text);
    expect(session).toMatchObject({ loggedIn: true, health: 'ok', user: { name: 'Test User' } });
    const user = await browser.request(`${url}/bff/api/user`, { headers: script });
    expect(JSON.parse(user.text)).toMatchObject({ name: 'Test User' });
    const forged = await browser.request(`${url}/bff/api/user`, { headers: { accept: 'application/json' } });
    expect(forged.status).toBe(403);
    const logout = await browser.request(`${url}/auth/logout`, { method: 'POST', headers: { ...script, origin: url } });
    expect(logout.status).toBe(204);
    const after = JSON.parse((await browser.request(`${url}/auth/session`, { headers: script })).text);
    expect(after).toEqual({ loggedIn: false, health: 'login_required' });
  });
});
