import { afterAll, describe, expect, it } from 'vitest';
import { TestBrowser, type BrowserResponse } from 'passport-synergyflow/testing';
import { captureLogs } from '../helpers/logs.js';
import { CLIENT_SECRET, startRig, type Rig } from '../helpers/rig.js';

const logs = captureLogs();

const json = { accept: 'application/json' };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs every kind of flow the suite covers, returning the app's answers and the secrets in play. */
async function runFlows(rig: Rig): Promise<{ answers: BrowserResponse[]; secrets: string[] }> {
  const browsers: TestBrowser[] = [];
  const browser = (accept?: Record<string, string>): TestBrowser => {
    const b = new TestBrowser(accept);
    browsers.push(b);
    return b;
  };
  const user = await rig.login(browser());
  const api = await rig.login(browser(json));
  for (const b of [user, api]) await b.request(`${rig.url}/dashboard`);
  await sleep(1100); // access tokens (TTL 2 s) now need a refresh
  await Promise.all([user, api].map((b) => b.request(`${rig.url}/dashboard`)));
  rig.emulator.expireAccessTokens(); // 401 → refresh → retry
  await api.request(`${rig.url}/fresh`);
  for (const how of [
    { status: 403 },
    { status: 429, headers: { 'Retry-After': '5' } },
    { status: 500 },
    'garbage',
  ] as const) {
    rig.emulator.failNext('user', how);
    await api.request(`${rig.url}/fresh`);
    await user.request(`${rig.url}/fresh`);
  }
  for (const how of [
    { status: 400, body: { error: 'invalid_grant' } },
    { status: 401, body: { error: 'invalid_client' } },
    'html',
  ] as const) {
    rig.emulator.failNext('token', how);
    await rig.login(browser()).catch(() => undefined);
  }
  const csrf = browser();
  const started = await csrf.request(`${rig.url}/auth/login`, { follow: false });
  const code = new URL((await csrf.request(started.location ?? '', { follow: false })).location ?? '').searchParams.get(
    'code',
  );
  await browser().request(`${rig.url}/auth/callback?code=${code}&state=wrong`);
  rig.emulator.revokeAllTokens();
  await sleep(1100);
  await user.request(`${rig.url}/dashboard`); // refused refresh → login required
  await api.request(`${rig.url}/auth/logout`, { form: {} });
  const verifiers = rig.emulator.calls.map((call) => call.body.code_verifier).filter((v): v is string => Boolean(v));
  return {
    answers: browsers.flatMap((b) => b.history).filter((answer) => answer.url.startsWith(rig.url)),
    secrets: [...rig.emulator.issuedSecrets(), ...verifiers, CLIENT_SECRET],
  };
}

describe('X1–X3: no secret leaves the server', () => {
  let rig: Rig;
  afterAll(async () => rig?.close());

  it('no access token, refresh token, code, verifier or client secret in any answer, URL or log line', async () => {
    rig = await startRig({
      emulator: { accessTokenTtlSeconds: 2 },
      routes(app, auth) {
        app.get('/fresh', auth.requireUser({ profileTtlSeconds: 0, serveStaleOnRateLimit: false }), (req, res) =>
          res.json({ user: req.user }),
        );
      },
    });
    const { answers, secrets } = await runFlows(rig);
    expect(secrets.length).toBeGreaterThan(20);
    expect(answers.length).toBeGreaterThan(30);
    expect(logs.some((line) => line.includes('refresh finished'))).toBe(true);
    const leaks: string[] = [];
    for (const answer of answers) {
      const text = [
        answer.location ?? '',
        [...answer.headers].map(([k, v]) => `${k}: ${v}`).join('\n'),
        answer.text,
      ].join('\n');
      for (const secret of secrets)
        if (text.includes(secret)) leaks.push(`${answer.url} ${answer.status} leaks ${secret.slice(0, 6)}…`);
    }
    for (const line of logs) {
      for (const secret of secrets)
        if (line.includes(secret)) leaks.push(`log line leaks ${secret.slice(0, 6)}…: ${line.slice(0, 80)}`);
    }
    expect(leaks).toEqual([]);
    // X5: after a callback the browser is always sent on, so no code stays in its history.
    const callbacks = answers.filter((a) => a.url.includes('/auth/callback') && a.status < 400);
    for (const callback of callbacks) expect(callback.status).toBe(303);
  }, 60_000);
});
