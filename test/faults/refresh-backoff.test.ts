import { afterEach, describe, expect, it } from 'vitest';
import { startRig, type Rig } from '../helpers/rig.js';

let rig: Rig | undefined;
afterEach(async () => rig?.close());

const json = { accept: 'application/json' };

describe('the back-off after a failed refresh (fake clock, one process)', () => {
  it('a refresh that failed while the token was valid is retried before the token expires, so the end of an outage fails no request', async () => {
    rig = await startRig({ clock: true, emulator: { accessTokenTtlSeconds: 10 } });
    const browser = await rig.login();
    const dashboard = async (): Promise<number> =>
      (await browser.request(`${rig!.url}/dashboard`, { headers: json })).status;
    rig.clock!.advance(7); // due since 5 s, expires at 10 s
    rig.emulator.resetCounters();
    rig.emulator.failNext('token', { status: 500 });
    expect(await dashboard()).toBe(200); // the still-valid token
    expect(rig.emulator.counters.refreshGrants).toBe(1);
    // The provider is back. A fixed 5 s back-off would fail fast until 12 s: past the expiry.
    rig.clock!.advance(2);
    expect(await dashboard()).toBe(200);
    expect(rig.emulator.counters.refreshGrants).toBe(2);
    rig.clock!.advance(2); // 11 s: the old token would have expired
    expect(await dashboard()).toBe(200);
  });

  it('a failure that comes back after the token expired keeps the back-off of when the attempt started', async () => {
    // On a busy host the answer to a refresh sent while the token was valid can arrive after it
    // expired: a full back-off from then would refuse the user long after the provider is back.
    rig = await startRig({ clock: true, emulator: { accessTokenTtlSeconds: 10 } });
    const browser = await rig.login();
    const dashboard = async (): Promise<number> =>
      (await browser.request(`${rig!.url}/dashboard`, { headers: json })).status;
    rig.clock!.advance(9.5); // due, half a second left
    rig.emulator.resetCounters();
    rig.emulator.latencyMs.token = 1_000;
    rig.emulator.failNext('token', { status: 500 });
    const first = dashboard();
    // Once the refresh has reached the provider (which answers a second later), the token expires.
    while (rig.emulator.inFlight.token === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    rig.clock!.advance(1);
    expect(await first).toBe(502);
    rig.emulator.latencyMs.token = 0;
    rig.clock!.advance(1); // the provider is back, and half a second is long past
    expect(await dashboard()).toBe(200);
    expect(rig.emulator.counters.refreshGrants).toBe(2);
  });

  it('an expired token keeps the full back-off: the provider is not hammered', async () => {
    rig = await startRig({ clock: true, emulator: { accessTokenTtlSeconds: 10 } });
    const browser = await rig.login();
    const dashboard = async (): Promise<number> =>
      (await browser.request(`${rig!.url}/dashboard`, { headers: json })).status;
    rig.clock!.advance(11);
    rig.emulator.resetCounters();
    rig.emulator.failNext('token', { status: 500 });
    expect(await dashboard()).toBe(502);
    rig.clock!.advance(4.9);
    expect(await dashboard()).toBe(502);
    expect(rig.emulator.counters.token).toBe(1);
    rig.clock!.advance(0.2);
    expect(await dashboard()).toBe(200);
  });
});
