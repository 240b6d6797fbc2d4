import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, startSynergyFlowEmulator, type SynergyFlowEmulator } from 'passport-synergyflow/testing';

const REDIRECT = 'http://127.0.0.1:9/callback';
let emulator: SynergyFlowEmulator | undefined;
afterEach(async () => emulator?.close());

async function token(body: Record<string, string>): Promise<{ status: number; json: Record<string, string> }> {
  const answer = await fetch(`${emulator!.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'c', client_secret: 's', ...body }),
  });
  return { status: answer.status, json: (await answer.json()) as Record<string, string> };
}

/** Logs in through the authorize endpoint (auto-approved) and returns the first refresh token. */
async function login(): Promise<string> {
  const query = new URLSearchParams({ client_id: 'c', redirect_uri: REDIRECT, response_type: 'code', state: 'x' });
  const answer = await fetch(`${emulator!.url}/oauth/authorize?${query}`, { redirect: 'manual' });
  const code = new URL(answer.headers.get('location')!).searchParams.get('code')!;
  const { json } = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
  return json.refresh_token!;
}

const refresh = (refreshToken: string) => token({ grant_type: 'refresh_token', refresh_token: refreshToken });

describe('the emulator switches of the fault tests', () => {
  it('refreshReuseGraceSeconds lets a rotated refresh token through once inside the window, and counts every reuse', async () => {
    const clock = new FakeClock();
    emulator = await startSynergyFlowEmulator({ autoApprove: true, clock: clock.now, refreshReuseGraceSeconds: 10 });
    emulator.registerClient({ clientID: 'c', clientSecret: 's', redirectURIs: [REDIRECT] });
    const first = await login();
    const rotated = await refresh(first);
    expect(rotated.status).toBe(200);
    clock.advance(5);
    const replay = await refresh(first);
    expect(replay.status).toBe(200);
    expect(replay.json.refresh_token).not.toBe(rotated.json.refresh_token);
    expect((await refresh(first)).status).toBe(400); // only once
    const next = rotated.json.refresh_token!;
    expect((await refresh(next)).status).toBe(200);
    clock.advance(11);
    expect((await refresh(next)).status).toBe(400); // outside the window
    expect(emulator.counters).toMatchObject({ refreshGrants: 5, refreshTokenReuses: 3, toleratedReuses: 1 });
  });

  it('without a grace window every reuse is refused and counted; failFor forces answers for N seconds', async () => {
    const clock = new FakeClock();
    emulator = await startSynergyFlowEmulator({ autoApprove: true, clock: clock.now });
    emulator.registerClient({ clientID: 'c', clientSecret: 's', redirectURIs: [REDIRECT] });
    const first = await login();
    const second = (await refresh(first)).json.refresh_token!;
    expect((await refresh(first)).status).toBe(400);
    expect(emulator.counters).toMatchObject({ refreshTokenReuses: 1, toleratedReuses: 0 });
    emulator.failFor('token', { status: 503 }, 2);
    expect((await refresh(second)).status).toBe(503);
    clock.advance(1.9);
    expect((await refresh(second)).status).toBe(503);
    clock.advance(0.2);
    expect((await refresh(second)).status).toBe(200);
    expect(emulator.inFlight).toEqual({ token: 0, user: 0, revoke: 0 });
  });
});
