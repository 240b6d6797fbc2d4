import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { TestBrowser } from 'passport-synergyflow/testing';
import { HANG_GUARD_MS, runWithinBudget } from '../helpers/budget.js';
import { startRig, type Rig } from '../helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

// The tests below do a fixed amount of work (1,000 or 2,000 logins) whatever the machine: their
// time budget comes from a calibration batch (test/helpers/budget.ts), and HANG_GUARD_MS only
// stops a hang. 2,000 logins are 200 times the 10 pending logins a session keeps: enough to show
// the cap and any growth with the count (10,000 took minutes on a busy 2-core machine and proved
// no more). How fast logins are on a quiet machine is measured by the benchmark, not here.

const authorizeParams = (location: string | undefined): URLSearchParams => new URL(location ?? 'http://x').searchParams;

describe('the authorization request (/login)', () => {
  it('L1: redirects to exactly the authorize endpoint with code, client, fixed redirect, scope, state and S256', async () => {
    rig = await startRig();
    const answer = await request(rig.server).get('/auth/login');
    expect(answer.status).toBe(302);
    expect(answer.headers['cache-control']).toBe('no-store');
    const location = new URL(answer.headers.location as string);
    expect(location.origin + location.pathname).toBe(`${rig.emulator.url}/oauth/authorize`);
    const params = location.searchParams;
    expect(Object.fromEntries(params)).toMatchObject({
      response_type: 'code',
      client_id: 'test-client',
      redirect_uri: `${rig.url}/auth/callback`,
      scope: 'user:read',
      code_challenge_method: 'S256',
    });
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.has('client_secret')).toBe(false);
    expect(params.has('code_verifier')).toBe(false);
  });

  it(
    'L2: 1,000 logins give 1,000 distinct states and challenges of full strength',
    async () => {
      rig = await startRig();
      const states = new Set<string>();
      const challenges = new Set<string>();
      const agent = request.agent(rig.server);
      await runWithinBudget({ batches: 20, calibrationBatches: 2 }, async () => {
        for (let i = 0; i < 50; i += 1) {
          const params = authorizeParams((await agent.get('/auth/login')).headers.location as string);
          states.add(params.get('state') ?? '');
          challenges.add(params.get('code_challenge') ?? '');
        }
      });
      expect(states.size).toBe(1000);
      expect(challenges.size).toBe(1000);
      for (const state of states) expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    },
    HANG_GUARD_MS,
  );

  it('L3: Host and X-Forwarded-* headers never change the redirect_uri', async () => {
    rig = await startRig();
    const answer = await request(rig.server)
      .get('/auth/login')
      .set('host', 'evil.example')
      .set('x-forwarded-host', 'evil.example')
      .set('x-forwarded-proto', 'http');
    expect(authorizeParams(answer.headers.location as string).get('redirect_uri')).toBe(`${rig.url}/auth/callback`);
  });

  it(
    'L4: 2,000 logins in one session keep at most maxPendingLogins and a small session',
    async () => {
      rig = await startRig();
      const browser = new TestBrowser();
      await browser.request(`${rig.url}/auth/login`, { follow: false });
      const cookie = browser.cookieHeader(rig.url);
      const agent = request.agent(rig.server);
      await runWithinBudget({ batches: 20, calibrationBatches: 2 }, async () => {
        await Promise.all(Array.from({ length: 100 }, () => agent.get('/auth/login').set('cookie', cookie)));
      });
      const sessions = Object.values((rig.store as unknown as { sessions: Record<string, string> }).sessions);
      expect(sessions).toHaveLength(1);
      const stored = JSON.parse(sessions[0] ?? '{}') as { synergyflow: { transactions: object } };
      expect(Object.keys(stored.synergyflow.transactions)).toHaveLength(10);
      expect((sessions[0] ?? '').length).toBeLessThan(4096);
    },
    HANG_GUARD_MS,
  );

  it(
    'L4: 2,000 logins from fresh clients each create a short-lived session (no unbounded store growth)',
    async () => {
      rig = await startRig({ auth: { loginTimeoutSeconds: 600 } });
      await runWithinBudget({ batches: 20, calibrationBatches: 2 }, async () => {
        await Promise.all(Array.from({ length: 100 }, () => request(rig.server).get('/auth/login')));
      });
      const sessions = Object.values((rig.store as unknown as { sessions: Record<string, string> }).sessions);
      expect(sessions).toHaveLength(2_000);
      const latest = Date.now() + 11 * 60_000 + 5000;
      for (const raw of sessions) {
        const data = JSON.parse(raw) as { cookie: { expires: string } };
        // Each pre-login session expires with its login attempt (plus a minute of grace).
        expect(Date.parse(data.cookie.expires)).toBeLessThanOrEqual(latest);
        expect(raw.length).toBeLessThan(1024);
      }
    },
    HANG_GUARD_MS,
  );

  it('P2: every login sends S256 even when a previous exchange failed (never plain)', async () => {
    rig = await startRig();
    rig.emulator.failNext('token', { status: 400, body: { error: 'invalid_grant' } });
    const browser = new TestBrowser({ accept: 'application/json' });
    await browser.request(`${rig.url}/auth/login`);
    await browser.request(`${rig.url}/auth/login`);
    const methods = browser.history
      .filter((a) => a.location?.includes('/oauth/authorize'))
      .map((a) => authorizeParams(a.location).get('code_challenge_method'));
    expect(methods).toEqual(['S256', 'S256']);
  });
});
