import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoginVerify, SynergyFlowProfile, TokenSet } from 'passport-synergyflow';
import { startRig, type Rig } from '../helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

const json = { accept: 'application/json' };

interface Seen {
  profile: SynergyFlowProfile;
  tokens: TokenSet;
  path: string;
}

describe("the app's own users (verify)", () => {
  it('verify maps the profile to the app user; req.user stays that user, the profile is on req.synergyflow', async () => {
    const seen: Seen[] = [];
    const verify: LoginVerify = async (profile, tokens, req) => {
      seen.push({ profile, tokens, path: req.path });
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { id: `local-${profile.id}`, name: profile.name.toUpperCase(), plan: 'pro' };
    };
    rig = await startRig({
      auth: { verify, profileTtlSeconds: 0 },
      routes(app, auth) {
        app.get('/me', auth.requireUser(), (req, res) => {
          res.json({ user: req.user, profile: req.synergyflow?.profile?.name, home: auth.profile(req)?.id });
        });
      },
    });
    const browser = await rig.login();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.profile).toMatchObject({ id: '1', name: 'Test User' });
    expect(seen[0]?.tokens.accessToken).toMatch(/^at_/);
    expect(seen[0]?.path).toBe('/callback');
    // Twice: the second request reloads the profile (TTL 0) and must not put it in req.user.
    for (let i = 0; i < 2; i += 1) {
      const me = await browser.request(`${rig.url}/me`, { headers: json });
      expect(me.status).toBe(200);
      expect(JSON.parse(me.text)).toEqual({
        user: { id: 'local-1', name: 'TEST USER', plan: 'pro' },
        profile: 'Test User',
        home: '1',
      });
    }
    expect(rig.emulator.counters.user).toBe(3); // login + two reloads
  });

  it('verify returning false refuses the login with 403 refused_by_app and logs nobody in', async () => {
    rig = await startRig({
      auth: { verify: (profile) => (profile.emailVerified ? { id: profile.id, name: profile.name } : false) },
    });
    rig.emulator.upsertUser({
      id: 2,
      name: 'Unverified',
      email: 'u@example.com',
      email_verified_at: null,
      created_at: '2025-01-01T00:00:00.000000Z',
      updated_at: '2025-01-01T00:00:00.000000Z',
    });
    rig.emulator.approveAs(2);
    const browser = rig.browser();
    browser.defaultHeaders.accept = 'application/json';
    const end = await browser.request(`${rig.url}/auth/login`);
    expect(end.status).toBe(403);
    expect(JSON.parse(end.text)).toMatchObject({ error: { code: 'SF_LOGIN_FAILED', reason: 'refused_by_app' } });
    expect((await browser.request(`${rig.url}/dashboard`)).status).toBe(401);
  });

  it('a second Passport strategy keeps working: its users pass through the package untouched', async () => {
    rig = await startRig({
      routes(app, auth) {
        app.post('/local-login', (req, res, next) =>
          req.logIn({ id: '42', name: 'Local' }, (error) => (error ? next(error) : res.json({ ok: true }))),
        );
        app.get('/whoami', (req, res) => res.json({ user: req.user ?? null, profile: auth.profile(req) ?? null }));
      },
    });
    // The app's own (de)serializers for its local users, registered after the package's.
    rig.passport.serializeUser((user: Express.User, done: (error: unknown, id?: string) => void) =>
      user.id === '42' ? done(null, 'local:42') : done('pass'),
    );
    rig.passport.deserializeUser((id: unknown, done: (error: unknown, user?: Express.User) => void) =>
      id === 'local:42' ? done(null, { id: '42', name: 'Local' }) : done('pass'),
    );
    const agent = request.agent(rig.server);
    expect((await agent.post('/local-login').set(json)).status).toBe(200);
    expect((await agent.get('/whoami')).body).toEqual({ user: { id: '42', name: 'Local' }, profile: null });
    // A SynergyFlow-only route refuses the local user cleanly, without touching req.user.
    const guarded = await agent.get('/dashboard').set(json);
    expect(guarded.status).toBe(401);
    expect(guarded.body).toMatchObject({ error: { code: 'SF_LOGIN_REQUIRED' } });
    expect((await agent.get('/whoami')).body.user).toEqual({ id: '42', name: 'Local' });
    // The same app still logs SynergyFlow users in.
    const browser = await rig.login();
    const who = JSON.parse((await browser.request(`${rig.url}/whoami`, { headers: json })).text);
    expect(who.user).toMatchObject({ provider: 'synergyflow', id: '1', name: 'Test User' });
  });
});
