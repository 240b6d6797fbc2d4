import { afterEach, describe, expect, it } from 'vitest';
import { TestBrowser } from 'passport-synergyflow/testing';
import { captureLogs } from '../helpers/logs.js';
import { startRig, type Rig } from '../helpers/rig.js';

const logs = captureLogs();
let rig: Rig;
afterEach(async () => rig?.close());

const ATTACKER_TEXT = 'ATTACKER-TEXT\r\n[admin] password reset for root';

describe('the login route is not a callback', () => {
  it('L6: /login with error, error_description or iss is a clean 400 before Passport, with no attacker text anywhere', async () => {
    rig = await startRig();
    const description = encodeURIComponent(ATTACKER_TEXT);
    for (const accept of ['application/json', 'text/html']) {
      for (const query of [
        `error=server_error&error_description=${description}`,
        `error=access_denied&error_uri=${description}`,
        `iss=${description}`,
        `state=${description}`,
      ]) {
        const answer = await new TestBrowser({ accept }).request(`${rig.url}/auth/login?${query}`, { follow: false });
        expect(answer.status, query).toBe(400);
        expect(answer.text).not.toContain('ATTACKER-TEXT');
        expect(answer.text).not.toMatch(/at \w+ \(/);
        if (accept === 'application/json') {
          expect(JSON.parse(answer.text)).toMatchObject({
            error: { code: 'SF_LOGIN_FAILED', reason: 'misdirected_callback' },
          });
        }
      }
    }
    expect(rig.emulator.counters.authorize + rig.emulator.counters.token).toBe(0);
    expect(logs.join('\n')).not.toContain('ATTACKER-TEXT');
    expect(logs.join('\n')).toContain('refused callback parameters on the login route');
  });

  it('L6: a valid code and state sent to /login (with a foreign iss) are never redeemed there', async () => {
    rig = await startRig();
    const browser = rig.browser();
    const start = await browser.request(`${rig.url}/auth/login`, { follow: false });
    const callback = new URL((await browser.request(start.location ?? '', { follow: false })).location ?? '');
    const code = callback.searchParams.get('code') ?? '';
    const state = callback.searchParams.get('state') ?? '';
    const misdirected = await browser.request(
      `${rig.url}/auth/login?code=${code}&state=${state}&iss=${encodeURIComponent('https://attacker.example')}`,
      { follow: false, headers: { accept: 'application/json' } },
    );
    expect(misdirected.status).toBe(400);
    expect(rig.emulator.counters.token).toBe(0);
    // The login is untouched: its own callback still finishes it.
    expect((await browser.request(callback.toString())).status).toBe(200);
    expect(rig.emulator.counters.authorizationCodeGrants).toBe(1);
  });
});
