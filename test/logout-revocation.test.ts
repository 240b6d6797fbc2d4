import { afterEach, describe, expect, it } from 'vitest';
import { revocableSynergyFlowProvider } from 'passport-synergyflow/testing';
import type { Hooks } from 'passport-synergyflow';
import { CLIENT_ID, CLIENT_SECRET, startRig, type Rig } from './helpers/rig.js';
import { captureLogs } from './helpers/logs.js';
import { lastTokens, providerView } from './helpers/revocation.js';

const logs = captureLogs();

let rig: Rig;
afterEach(async () => rig?.close());

type RevokeEvent = Parameters<NonNullable<Hooks['onRevoke']>>[0];

async function startRevocableRig(events: RevokeEvent[], auth: Record<string, unknown> = {}): Promise<Rig> {
  return startRig({
    emulator: { revocation: true },
    auth: { provider: revocableSynergyFlowProvider, hooks: { onRevoke: (e) => events.push(e) }, ...auth },
  });
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
}

describe('logout revokes the tokens at the provider (RFC 7009) when the provider describes an endpoint', () => {
  it('R1: after logout the provider refuses the access token (401) and the refresh token (invalid_grant)', async () => {
    const events: RevokeEvent[] = [];
    rig = await startRevocableRig(events);
    const browser = await rig.login();
    const tokens = lastTokens(rig.emulator);
    const answer = await browser.request(`${rig.url}/auth/logout`, { method: 'POST', form: {}, follow: false });
    expect(answer.status).toBe(303);
    expect(rig.emulator.counters.revoke).toBe(2);
    const hints = rig.emulator.calls.filter((c) => c.endpoint === 'revoke').map((c) => c.body.token_type_hint);
    expect(hints.sort()).toEqual(['access_token', 'refresh_token']);
    expect(await providerView(rig.emulator, tokens)).toEqual({ api: 401, refresh: 400, refreshError: 'invalid_grant' });
    expect(events).toMatchObject([{ outcome: 'success', userId: '1' }]);
  });

  it('R2: SynergyFlow Pro describes none: logout is local, and the tokens stay valid at the provider', async () => {
    rig = await startRig({ emulator: { revocation: true } });
    const browser = await rig.login();
    const tokens = lastTokens(rig.emulator);
    await browser.request(`${rig.url}/auth/logout`, { method: 'POST', form: {}, follow: false });
    expect(rig.emulator.counters.revoke).toBe(0);
    expect(await providerView(rig.emulator, tokens)).toMatchObject({ api: 200, refresh: 200 });
  });

  it('R3: a revocation endpoint that hangs does not hold the logout past the wait, nor fail it', async () => {
    const events: RevokeEvent[] = [];
    // The provider's timeout (4 s) is far longer than the wait (0.2 s), so that on a busy machine
    // too the logout's answer comes while both revocations are still unanswered.
    rig = await startRevocableRig(events, { timeoutSeconds: 4, revocationWaitSeconds: 0.2 });
    const browser = await rig.login();
    rig.emulator.failNext('revoke', 'hang', 2);
    const answer = await browser.request(`${rig.url}/auth/logout`, { method: 'POST', form: {}, follow: false });
    expect(answer.status).toBe(303);
    // Answered before either revocation ended (the hook reports each end): the logout did not
    // wait for them. Both reach the provider and hang there.
    expect(events).toEqual([]);
    await until(() => rig.emulator.inFlight.revoke === 2);
    expect(rig.emulator.inFlight.revoke).toBe(2);
    const dashboard = await browser.request(`${rig.url}/dashboard`, { headers: { accept: 'application/json' } });
    expect(dashboard.status).toBe(401);
    await until(() => events.length > 0);
    expect(events).toMatchObject([{ outcome: 'failed', reason: 'timeout', userId: '1' }]);
  });

  it('R4: a revocation endpoint that answers 500 fails nothing; the hook reports it', async () => {
    const events: RevokeEvent[] = [];
    rig = await startRevocableRig(events);
    const browser = await rig.login();
    const tokens = lastTokens(rig.emulator);
    rig.emulator.failNext('revoke', { status: 500 }, 2);
    const answer = await browser.request(`${rig.url}/auth/logout`, {
      method: 'POST',
      form: {},
      headers: { accept: 'application/json' },
    });
    expect(answer.status).toBe(204);
    expect(events).toMatchObject([{ outcome: 'failed', reason: 'server_error' }]);
    // Best effort: the provider failed, so the tokens it holds stay valid until they expire.
    expect((await providerView(rig.emulator, tokens)).api).toBe(200);
    expect(logs.some((line) => line.includes('revoking the tokens at the provider failed (server_error)'))).toBe(true);
    expect(logs.filter((line) => line.includes(tokens.access) || line.includes(tokens.refresh))).toEqual([]);
    const dashboard = await browser.request(`${rig.url}/dashboard`, { headers: { accept: 'application/json' } });
    expect(dashboard.status).toBe(401);
  });

  it('R5: the emulator answers /oauth/revoke only when asked to, and checks the client', async () => {
    rig = await startRig();
    const post = (body: Record<string, string>) =>
      fetch(`${rig.emulator.url}/oauth/revoke`, { method: 'POST', body: new URLSearchParams(body) });
    expect((await post({ token: 'x', client_id: CLIENT_ID, client_secret: CLIENT_SECRET })).status).toBe(404);
    rig.emulator.revocation = true;
    expect((await post({ token: 'x', client_id: CLIENT_ID, client_secret: 'wrong' })).status).toBe(401);
    expect((await post({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET })).status).toBe(400);
    expect((await post({ token: 'unknown', client_id: CLIENT_ID, client_secret: CLIENT_SECRET })).status).toBe(200);
  });
});
