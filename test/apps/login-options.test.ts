import { afterEach, describe, expect, it } from 'vitest';
import { synergyFlow } from 'passport-synergyflow';
import { TestBrowser } from 'passport-synergyflow/testing';
import { startRig, type Rig } from '../helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

/** Approves the consent page the browser stands on (the emulator's own form). */
async function approve(browser: TestBrowser, page: { url: string; text: string }) {
  const id = /name="request" value="([^"]+)"/.exec(page.text)?.[1];
  if (!id) throw new Error(`no consent form at ${page.url}`);
  return browser.request(page.url.replace(/\?.*$/, ''), { form: { request: id, decision: 'approve' } });
}

describe('per-login authorization options', () => {
  it('auth.login({ prompt: "login" }) makes the provider ask the user to sign in again', async () => {
    rig = await startRig({
      routes(app, auth) {
        app.get('/auth/reauthenticate', auth.login({ prompt: 'login', returnTo: '/settings' }));
        app.get('/settings', auth.requireUser(), (_req, res) => res.type('text/plain').send('settings'));
      },
    });
    const browser = await rig.login();
    expect(rig.emulator.authorizations.at(-1)?.prompt).toBeUndefined();
    // autoApprove is on, yet prompt=login is never approved silently.
    const page = await browser.request(`${rig.url}/auth/reauthenticate`);
    expect(page.url.startsWith(rig.emulator.url)).toBe(true);
    expect(page.text).toContain('Sign in again');
    expect(rig.emulator.authorizations.at(-1)).toMatchObject({ prompt: 'login', scopes: ['user:read'] });
    const back = await approve(browser, page);
    expect(back.url).toBe(`${rig.url}/settings`);
    expect(back.text).toBe('settings');
    expect(rig.emulator.counters.authorizationCodeGrants).toBe(2);
  });

  it('the query sets only what loginParams lists, with checked values', async () => {
    rig = await startRig({ auth: { loginParams: ['prompt', 'login_hint', 'scope'], extraScopes: 'user:write' } });
    const browser = rig.browser();
    const page = await browser.request(
      `${rig.url}/auth/login?prompt=consent&login_hint=${encodeURIComponent('ada@example.com')}&scope=${encodeURIComponent('user:read user:write')}`,
    );
    expect(page.text).toContain('Authorization request');
    expect(rig.emulator.authorizations.at(-1)).toMatchObject({
      prompt: 'consent',
      loginHint: 'ada@example.com',
      scopes: ['user:read', 'user:write'],
    });
    for (const query of [
      'prompt=select_account',
      'scope=admin',
      'scope=user:read%20admin',
      'scope=%22user:read%22',
      'login_hint=a%0d%0ab',
      `login_hint=${'x'.repeat(300)}`,
      'prompt=login&prompt=consent',
    ]) {
      const end = await rig.browser().request(`${rig.url}/auth/login?${query}`);
      expect(end.status, query).toBe(200);
      expect(rig.emulator.authorizations.at(-1), query).toMatchObject({ scopes: ['user:read'] });
      const last = rig.emulator.authorizations.at(-1);
      if (query.startsWith('prompt')) expect(last?.prompt, query).toBeUndefined();
      if (query.startsWith('login_hint')) expect(last?.loginHint, query).toBeUndefined();
    }
  });

  it('without loginParams the query changes nothing', async () => {
    rig = await startRig();
    await rig.browser().request(`${rig.url}/auth/login?prompt=login&scope=user:write&login_hint=a`);
    expect(rig.emulator.authorizations.at(-1)).toEqual({
      clientID: expect.any(String),
      scopes: ['user:read'],
      prompt: undefined,
      loginHint: undefined,
    });
  });

  it('a scope the provider withheld fails that login (scope_not_granted) and keeps the previous one', async () => {
    rig = await startRig({
      routes(app, auth) {
        app.get('/auth/upgrade', auth.login({ scope: ['user:read', 'user:write'] }));
      },
    });
    const browser = await rig.login();
    rig.emulator.withheldScopes = ['user:write'];
    rig.emulator.announceScopes = true;
    browser.defaultHeaders.accept = 'application/json';
    const end = await browser.request(`${rig.url}/auth/upgrade`);
    expect(end.status).toBe(403);
    expect(JSON.parse(end.text)).toMatchObject({ error: { code: 'SF_LOGIN_FAILED', reason: 'scope_not_granted' } });
    expect((await browser.request(`${rig.url}/dashboard`)).status).toBe(200);
  });

  it('auth.login() options are checked once, naming the bad one', () => {
    const auth = synergyFlow({ clientID: 'a', clientSecret: 'b', callbackURL: 'https://app.example/auth/callback' });
    expect(() => auth.login({ prompt: 'select_account' as 'login' })).toThrow(
      /"prompt" must be "login", "consent" or "none"/,
    );
    expect(() => auth.login({ scope: 'user:read "x"' })).toThrow(/"scope"/);
    expect(() => auth.login({ loginHint: 'a\nb' })).toThrow(/"loginHint"/);
    expect(() => auth.login({ returnTo: 'https://evil.example/' })).toThrow(/"returnTo"/);
    expect(() =>
      synergyFlow({
        clientID: 'a',
        clientSecret: 'b',
        callbackURL: 'https://a.example/cb',
        loginParams: ['redirect_uri' as 'scope'],
      }),
    ).toThrow(/"loginParams"/);
  });
});
