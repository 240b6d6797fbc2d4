import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { TestBrowser } from 'passport-synergyflow/testing';
import { send } from '../../src/provider/http.js';
import { MAX_EXPIRES_IN_SECONDS, tokenSetFromOAuthAnswer } from '../../src/tokens/token-set.js';
import { freePort } from '../helpers/processes.js';
import { captureLogs } from '../helpers/logs.js';
import { startRig, type Rig } from '../helpers/rig.js';

const logs = captureLogs();
let rig: Rig;
afterEach(async () => rig?.close());

const json = { accept: 'application/json' };
const SECRET = 'SECRET-TOKEN-VALUE';

describe('hostile token answers', () => {
  it('T17: an expires_in of 1.8e305 is capped at a year: ten requests cost no refresh', async () => {
    rig = await startRig({ clock: true, emulator: { accessTokenTtlSeconds: 1.8e305 } });
    const browser = await rig.login(new TestBrowser(json));
    const expiries: unknown[] = [];
    for (let i = 0; i < 10; i += 1) {
      const answer = await browser.request(`${rig.url}/dashboard`);
      expect(answer.status).toBe(200);
      expiries.push((JSON.parse(answer.text) as { expiresAt: unknown }).expiresAt);
    }
    expect(rig.emulator.counters.refreshGrants).toBe(0);
    const now = rig.clock?.now() ?? 0;
    expect(expiries.every((at) => typeof at === 'number' && at === expiries[0])).toBe(true);
    expect(expiries[0]).toBeGreaterThan(now + (MAX_EXPIRES_IN_SECONDS - 60) * 1000);
    expect(expiries[0]).toBeLessThanOrEqual(now + MAX_EXPIRES_IN_SECONDS * 1000);
  });

  it('T18: tokens that are not visible ASCII (or too long) are refused before any use, without quoting them', async () => {
    rig = await startRig();
    const answers: Array<Record<string, unknown>> = [
      { access_token: `${SECRET}\nX-Injected: 1` },
      { access_token: `${SECRET}\u0007` },
      { access_token: `${SECRET} with space` },
      { access_token: `${SECRET}-tökén` },
      { access_token: SECRET.repeat(500) },
      { access_token: 'fine', refresh_token: `${SECRET}\r\n` },
    ];
    for (const body of answers) {
      rig.emulator.failNext('token', { status: 200, body: { token_type: 'Bearer', expires_in: 3600, ...body } });
      const browser = new TestBrowser(json);
      const start = await browser.request(`${rig.url}/auth/login`);
      expect(start.status).toBe(502);
      expect(JSON.parse(start.text)).toMatchObject({ error: { code: 'SF_PROVIDER_ERROR' } });
      expect(start.text).not.toContain(SECRET);
    }
    expect(rig.emulator.counters.user).toBe(0);
    expect(logs.join('\n')).not.toContain(SECRET);
    // What real providers issue (JWTs, base64, hex) is visible ASCII and accepted.
    const jwt = 'eyJ0eXAiOiJKV1Qi.eyJzdWIiOiIxIn0.sig-_~+/=';
    const set = tokenSetFromOAuthAnswer({ access_token: jwt, token_type: 'Bearer', refresh_token: 'def50200a1b2' }, 0, {
      refreshTokenTtlMs: 0,
    });
    expect(set.accessToken).toBe(jwt);
  });

  it('X8: a transport error keeps no cause: a fetch error quoting a header value never reaches the error', async () => {
    const port = await freePort();
    const limits = { timeoutMs: 5000, maxBodyBytes: 1 << 20, fetch: globalThis.fetch };
    const error = await send(
      `http://127.0.0.1:${port}/api/user`,
      { headers: { authorization: `Bearer ${SECRET}\nX: y` } },
      limits,
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SF_PROVIDER_ERROR', kind: 'network' });
    expect((error as Error).cause).toBeUndefined();
    expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain(SECRET);
    expect(JSON.stringify(error)).not.toContain(SECRET);
    // A refused connection still says why, by its system code only.
    const refused = await send(`http://127.0.0.1:${port}/`, {}, limits).catch((e: unknown) => e);
    expect((refused as Error).message).toBe(
      'Could not reach the provider (ECONNREFUSED). Check its URL and the network.',
    );
  });
});
