import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TestBrowser, type Misbehaviour } from 'passport-synergyflow/testing';
import { CLIENT_SECRET, startRig, type Rig } from './helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

const json = { accept: 'application/json' };

/** Runs a login whose code exchange gets `how`; returns the final answer and the browser. */
async function loginWith(
  how: Misbehaviour,
): Promise<{ status: number; body: { error?: { code: string; reason?: string } }; browser: TestBrowser }> {
  rig.emulator.failNext('token', how);
  const browser = new TestBrowser(json);
  const answer = await browser.request(`${rig.url}/auth/login`);
  return {
    status: answer.status,
    body: answer.text ? (JSON.parse(answer.text) as { error?: { code: string } }) : {},
    browser,
  };
}

const ok = { token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt' };

describe('token endpoint answers during the callback', () => {
  const rejected: Array<[string, Misbehaviour, number]> = [
    ['T1 200 text/html page', 'html', 502],
    ['T1 200 truncated JSON', 'garbage', 502],
    ['T2 no access_token', { status: 200, body: { ...ok } }, 502],
    ['T2 empty access_token', { status: 200, body: { ...ok, access_token: '' } }, 502],
    ['T2 numeric access_token', { status: 200, body: { ...ok, access_token: 123 } }, 502],
    ['T3 token_type missing', { status: 200, body: { access_token: 'a', expires_in: 3600 } }, 502],
    ['T3 token_type mac', { status: 200, body: { ...ok, access_token: 'a', token_type: 'mac' } }, 502],
    ['T4 expires_in negative', { status: 200, body: { ...ok, access_token: 'a', expires_in: -5 } }, 502],
    ['T4 expires_in junk', { status: 200, body: { ...ok, access_token: 'a', expires_in: 'abc' } }, 502],
    ['T5 top-level null', { status: 200, body: null }, 502],
    ['T5 top-level array', { status: 200, body: [] }, 502],
    ['T6 400 invalid_grant', { status: 400, body: { error: 'invalid_grant' } }, 400],
    [
      'T7 401 invalid_client',
      { status: 401, body: { error: 'invalid_client' }, headers: { 'WWW-Authenticate': 'Basic' } },
      502,
    ],
    ['T8 500 HTML', { status: 500, body: '<html>oops</html>' }, 502],
    ['T8 503', { status: 503, body: {} }, 503],
    ['T11 5 MB body', 'huge', 502],
  ];
  for (const [name, how, status] of rejected) {
    it(`${name} → ${status}, one token call, no login`, async () => {
      rig = await startRig();
      const { status: got, body, browser } = await loginWith(how);
      expect(got).toBe(status);
      expect(body.error?.code).toMatch(/^SF_(PROVIDER_ERROR|LOGIN_FAILED)$/);
      expect(rig.emulator.counters.token).toBe(1);
      expect((await browser.request(`${rig.url}/dashboard`)).status).toBe(401);
    });
  }

  it('T6: invalid_grant at the code exchange is a LoginFailedError, not a 500', async () => {
    rig = await startRig();
    const { body } = await loginWith({ status: 400, body: { error: 'invalid_grant', error_description: 'x' } });
    expect(body.error).toMatchObject({ code: 'SF_LOGIN_FAILED', reason: 'invalid_grant' });
  });

  it('T3/T4: token_type "BEARER", expires_in "3600" and a missing expires_in are accepted', async () => {
    rig = await startRig();
    for (const body of [
      { access_token: 'A', token_type: 'BEARER', expires_in: '3600' },
      { access_token: 'B', token_type: 'bearer' },
    ]) {
      rig.emulator.failNext('token', { status: 200, body });
      rig.emulator.failNext('user', {
        status: 200,
        body: { id: 1, name: 'Test User', email: null, email_verified_at: null },
      });
      const browser = new TestBrowser(json);
      const end = await browser.request(`${rig.url}/auth/login`);
      expect(end.status, JSON.stringify(body)).toBe(200);
    }
  });

  it('T9: a token endpoint that hangs fails within the deadline and is never retried', async () => {
    rig = await startRig({ auth: { timeoutSeconds: 1 } });
    const started = Date.now();
    const { status } = await loginWith('hang');
    expect(status).toBe(504);
    // A hang guard (the provider never answers), not a speed claim: the login before it and the
    // answer after it must fit a busy 2-core machine too (issue 28).
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(rig.emulator.counters.token).toBe(1);
  });

  it('T12: a redirect from the token endpoint is not followed (the code and secret stay home)', async () => {
    let stolen = 0;
    const evil = createServer((_req, res) => {
      stolen += 1;
      res.end('{}');
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    rig = await startRig();
    const { status } = await loginWith({ redirect: `http://127.0.0.1:${(evil.address() as AddressInfo).port}/steal` });
    expect(status).toBe(502);
    expect(stolen).toBe(0);
    evil.close();
  });

  it('T13: unknown fields and __proto__ in a token answer are dropped, no prototype pollution', async () => {
    rig = await startRig();
    rig.emulator.failNext('token', {
      status: 200,
      body: JSON.parse(
        '{"access_token":"a","token_type":"Bearer","__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},"extra":"y"}',
      ) as unknown,
    });
    rig.emulator.failNext('user', {
      status: 200,
      body: JSON.parse('{"id":1,"name":"Test User","__proto__":{"isAdmin":true}}') as unknown,
    });
    const browser = new TestBrowser(json);
    expect((await browser.request(`${rig.url}/auth/login`)).status).toBe(200);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    const dashboard = JSON.parse((await browser.request(`${rig.url}/dashboard`)).text) as {
      user: { raw: Record<string, unknown> };
    };
    expect(Object.keys(dashboard.user.raw)).not.toContain('__proto__');
  });

  it('T16/P1: the secret is form-encoded in the body and the verifier matches the challenge', async () => {
    rig = await startRig();
    const browser = new TestBrowser(json);
    const first = await browser.request(`${rig.url}/auth/login`, { follow: false });
    const challenge = new URL(first.location ?? '').searchParams.get('code_challenge');
    await browser.request(first.location ?? '');
    const call = rig.emulator.calls.find((c) => c.endpoint === 'token');
    expect(call?.body.client_secret).toBe(CLIENT_SECRET);
    const verifier = call?.body.code_verifier ?? '';
    expect(verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(challenge);
    expect(call?.url).not.toContain('secret');
  });

  it('C18: a code minted for another login is refused by PKCE: one token call, no session', async () => {
    rig = await startRig();
    const attacker = new TestBrowser(json);
    const attackerLogin = await attacker.request(`${rig.url}/auth/login`, { follow: false });
    const stolenCode = new URL(
      (await attacker.request(attackerLogin.location ?? '', { follow: false })).location ?? '',
    ).searchParams.get('code');
    const victim = new TestBrowser(json);
    const victimLogin = await victim.request(`${rig.url}/auth/login`, { follow: false });
    const state = new URL(victimLogin.location ?? '').searchParams.get('state');
    const answer = await victim.request(`${rig.url}/auth/callback?code=${stolenCode}&state=${state}`);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { reason: 'invalid_grant' } });
    expect(rig.emulator.counters.token).toBe(1);
  });
});
