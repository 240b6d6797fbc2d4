import { afterEach, describe, expect, it } from 'vitest';
import type { TestBrowser } from 'passport-synergyflow/testing';
import { startRig, type Rig, type RigOptions } from '../helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

const json = { accept: 'application/json' };

/** `profileTtlSeconds: 0`: every request asks the provider, so a revoked login ends at once. */
function silentRig(options: RigOptions = {}): Promise<Rig> {
  return startRig({ ...options, auth: { silentRenewal: true, profileTtlSeconds: 0, ...options.auth } });
}

/** The prompts of the authorization requests made since `from`. */
const promptsSince = (from: number): (string | undefined)[] =>
  rig.emulator.authorizations.slice(from).map((a) => a.prompt);

/** Approves the emulator's page the browser is on (its hidden request id), following the redirects. */
async function approve(browser: TestBrowser, page: string) {
  const id = /name="request" value="([^"]+)"/.exec(page)?.[1] ?? '';
  return browser.request(`${rig.emulator.url}/oauth/authorize`, { form: { request: id, decision: 'approve' } });
}

describe("auth.login({ prompt: 'none' }) and the emulator's prompt=none", () => {
  it('P1: a user signed in who approved before comes back logged in without a page; others fail with the reason', async () => {
    rig = await startRig({
      routes(app, auth) {
        app.get('/auth/check', auth.login({ prompt: 'none', returnTo: '/dashboard' }));
      },
    });
    const end = await rig.browser().request(`${rig.url}/auth/check`, { headers: json });
    expect(end.status).toBe(200);
    expect(end.url).toBe(`${rig.url}/dashboard`);
    expect(rig.emulator.authorizations.at(-1)?.prompt).toBe('none');

    rig.emulator.signOut();
    const signedOut = await rig.browser().request(`${rig.url}/auth/check`, { headers: json });
    expect(signedOut.status).toBe(401);
    expect(JSON.parse(signedOut.text)).toMatchObject({ error: { code: 'SF_LOGIN_FAILED', reason: 'login_required' } });

    rig.emulator.signedIn = true;
    rig.emulator.autoApprove = false;
    const noConsent = await rig.browser().request(`${rig.url}/auth/check`, { headers: json });
    expect(JSON.parse(noConsent.text)).toMatchObject({ error: { reason: 'consent_required' } });
  });

  it("P2: loginParams: ['prompt'] lets /login?prompt=none through", async () => {
    rig = await startRig({ auth: { loginParams: ['prompt'] } });
    const end = await rig.browser().request(`${rig.url}/auth/login?prompt=none`);
    expect(end.status).toBe(200);
    expect(rig.emulator.authorizations.at(-1)?.prompt).toBe('none');
  });
});

describe('silentRenewal: an ended login tries prompt=none first', () => {
  it('S1: a user still signed in at the provider comes back where they were, without a page', async () => {
    rig = await silentRig();
    const browser = await rig.login();
    const from = rig.emulator.authorizations.length;
    rig.emulator.revokeAllTokens();
    const end = await browser.request(`${rig.url}/dashboard`);
    expect(end.status).toBe(200);
    expect(end.url).toBe(`${rig.url}/dashboard`);
    expect(promptsSince(from)).toEqual(['none']);
    const toLogin = browser.history.find((hop) => hop.location?.includes('/auth/login'));
    expect(toLogin?.location).toBe(`${rig.url}/auth/login?returnTo=%2Fdashboard&renew=silent`);
  });

  it('S2: a user signed out at the provider falls back to the normal login, keeping returnTo, once', async () => {
    rig = await silentRig();
    const browser = await rig.login();
    const from = rig.emulator.authorizations.length;
    rig.emulator.revokeAllTokens();
    rig.emulator.signOut();
    const page = await browser.request(`${rig.url}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sign in again');
    expect(promptsSince(from)).toEqual(['none', undefined]);
    const fallback = browser.history.find((hop) => hop.url.includes('error=login_required'));
    expect(fallback).toMatchObject({ status: 303, location: `${rig.url}/auth/login?returnTo=%2Fdashboard` });
    const end = await approve(browser, page.text);
    expect(end.url).toBe(`${rig.url}/dashboard`);
    expect(end.status).toBe(200);
  });

  it('S3: never a loop: a login that ends again right after a silent renewal goes to the normal login', async () => {
    rig = await silentRig();
    const browser = await rig.login();
    const from = rig.emulator.authorizations.length;
    rig.emulator.revokeAllTokens();
    expect((await browser.request(`${rig.url}/dashboard`)).status).toBe(200);
    rig.emulator.revokeAllTokens();
    expect((await browser.request(`${rig.url}/dashboard`)).status).toBe(200);
    expect(promptsSince(from)).toEqual(['none', undefined]);
    // A marker the browser sends again by hand changes nothing either.
    await browser.request(`${rig.url}/auth/login?renew=silent`);
    expect(promptsSince(from)).toEqual(['none', undefined, undefined]);
  });

  it('S4: not for a visitor who never logged in, nor without the option', async () => {
    rig = await silentRig();
    const visitor = await rig.browser().request(`${rig.url}/dashboard`, { follow: false });
    expect(visitor.location).toBe(`${rig.url}/auth/login?returnTo=%2Fdashboard`);
    await rig.close();
    rig = await startRig({ auth: { profileTtlSeconds: 0 } });
    const browser = await rig.login();
    const from = rig.emulator.authorizations.length;
    rig.emulator.revokeAllTokens();
    await browser.request(`${rig.url}/dashboard`);
    await browser.request(`${rig.url}/auth/login?renew=silent`);
    expect(promptsSince(from)).toEqual([undefined, undefined]);
  });
});
