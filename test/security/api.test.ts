import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TestBrowser } from 'passport-synergyflow/testing';
import { synergyFlow } from 'passport-synergyflow';
import { startRig, type Rig } from '../helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

const json = { accept: 'application/json' };
const dashboard = async (browser: TestBrowser) => {
  const answer = await browser.request(`${rig.url}/dashboard`, { headers: json });
  return { status: answer.status, body: JSON.parse(answer.text) as Record<string, unknown>, headers: answer.headers };
};

describe('GET /api/user (the protected resource)', () => {
  it('U1: the token travels only in the Authorization: Bearer header of a GET', async () => {
    rig = await startRig({ auth: { profileTtlSeconds: 0 } });
    const browser = await rig.login();
    await dashboard(browser);
    const calls = rig.emulator.calls.filter((c) => c.endpoint === 'user');
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call.headers.authorization).toMatch(/^Bearer at_/);
      expect(call.url).toBe('/api/user');
    }
  });

  it('U3: a 401 with a junk WWW-Authenticate header refreshes and retries like any 401', async () => {
    rig = await startRig({ auth: { profileTtlSeconds: 0 } });
    const browser = await rig.login();
    for (const header of ['Bearer error="invalid_token', 'token68==', 'Bearer realm="a", Basic', '"""']) {
      rig.emulator.failNext('user', { status: 401, headers: { 'WWW-Authenticate': header } });
      expect((await dashboard(browser)).status, header).toBe(200);
    }
  });

  it('U6: a huge Retry-After is capped at maxRetryAfterSeconds', async () => {
    rig = await startRig({ auth: { maxRetryAfterSeconds: 120 } });
    rig.emulator.failNext('user', { status: 429, headers: { 'Retry-After': '86400' } });
    const answer = await new TestBrowser(json).request(`${rig.url}/auth/login`);
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('120');
  });

  it('U10: a profile without an integer id or a string name is refused', async () => {
    rig = await startRig({ auth: { profileTtlSeconds: 0 } });
    const browser = await rig.login();
    for (const body of [
      { name: 'x' },
      { id: '1', name: 'x' },
      { id: 1.5, name: 'x' },
      { id: -1, name: 'x' },
      { id: 1 },
      [],
      null,
    ]) {
      rig.emulator.failNext('user', { status: 200, body });
      expect((await dashboard(browser)).status, JSON.stringify(body)).toBe(502);
    }
  });

  it('U10/T13: __proto__ keys in a profile are dropped and pollute nothing', async () => {
    rig = await startRig({ auth: { profileTtlSeconds: 0 } });
    const browser = await rig.login();
    rig.emulator.failNext('user', {
      status: 200,
      body: JSON.parse('{"id":1,"name":"Test User","__proto__":{"polluted":1}}') as object,
    });
    const answer = await dashboard(browser);
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.body)).not.toContain('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('U11: a redirect from /api/user is not followed: the other host never sees the token', async () => {
    let hits = 0;
    const evil = createServer((_req, res) => {
      hits += 1;
      res.end('{}');
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    rig = await startRig({ auth: { profileTtlSeconds: 0 } });
    const browser = await rig.login();
    rig.emulator.failNext('user', { redirect: `http://127.0.0.1:${(evil.address() as AddressInfo).port}/steal` });
    expect((await dashboard(browser)).status).toBe(502);
    expect(hits).toBe(0);
    evil.close();
  });

  it('T15: a provider that refuses connections is a 503 ProviderError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    rig = await startRig({ auth: { profileTtlSeconds: 0 } });
    const browser = await rig.login();
    // Point a second auth instance's client at a dead port through the public client API.
    const dead = synergyFlow({
      clientID: 'x',
      clientSecret: 'y',
      callbackURL: `${rig.url}/auth/callback`,
      baseURL: `http://127.0.0.1:${port}`,
    });
    const error = await dead.client
      .getUser({ accessToken: 'at', obtainedAt: Date.now(), version: 1 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SF_PROVIDER_ERROR', kind: 'network', status: 503 });
    expect((await dashboard(browser)).status).toBe(200);
  });
});
