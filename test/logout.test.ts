import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { startRig, type Rig } from './helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

const json = { accept: 'application/json' };

describe('logout', () => {
  it('O1: POST from our own page ends the login, clears tokens and rotates the session', async () => {
    rig = await startRig();
    const browser = await rig.login();
    const before = browser.cookieHeader(rig.url);
    const answer = await browser.request(`${rig.url}/auth/logout`, { method: 'POST', form: {}, follow: false });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`${rig.url}/`);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(browser.cookieHeader(rig.url)).not.toBe(before);
    expect((await browser.request(`${rig.url}/dashboard`, { headers: json })).status).toBe(401);
    const old = await request(rig.server).get('/dashboard').set('cookie', before).set('accept', 'application/json');
    expect(old.status).toBe(401);
  });

  it('O2: GET /logout is 405 and a cross-site POST is 403 with the login intact', async () => {
    rig = await startRig();
    const browser = await rig.login();
    const cookie = browser.cookieHeader(rig.url);
    const get = await request(rig.server).get('/auth/logout').set('cookie', cookie);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    for (const headers of [
      { origin: 'https://evil.example' },
      { referer: 'https://evil.example/page' },
      {},
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site', origin: rig.url },
    ]) {
      const post = await request(rig.server)
        .post('/auth/logout')
        .set('cookie', cookie)
        .set('accept', 'application/json')
        .set(headers);
      expect(post.status, JSON.stringify(headers)).toBe(403);
      expect(post.body).toMatchObject({ error: { code: 'SF_CROSS_SITE_REQUEST' } });
    }
    expect((await browser.request(`${rig.url}/dashboard`, { headers: json })).status).toBe(200);
  });

  it('O3: logout without a session is an idempotent redirect that creates no session', async () => {
    rig = await startRig();
    const post = await request(rig.server).post('/auth/logout').set('origin', rig.url);
    expect(post.status).toBe(303);
    expect(post.headers['set-cookie']).toBeUndefined();
    expect(rig.sessionCount()).toBe(0);
  });

  it('O4: a request in flight during logout cannot bring the login back', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    rig = await startRig({
      auth: { profileTtlSeconds: 0 },
      routes(app, auth) {
        app.get('/slow', auth.requireUser(), (req, res) => {
          // Touch the session the way a real handler might, then finish after the logout.
          req.session.touch();
          void gate.then(() => res.json({ ok: true }));
        });
      },
    });
    const browser = await rig.login();
    const cookie = browser.cookieHeader(rig.url);
    const slow = request(rig.server)
      .get('/slow')
      .set('cookie', cookie)
      .set('accept', 'application/json')
      .then((r) => r);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await browser.request(`${rig.url}/auth/logout`, { method: 'POST', form: {} });
    release();
    expect((await slow).status).toBe(200);
    const replay = await request(rig.server).get('/dashboard').set('cookie', cookie).set('accept', 'application/json');
    expect(replay.status).toBe(401);
    // What another instance sharing the store would see: the old session is gone for good.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const oldSid = decodeURIComponent(/sid=s%3A([^.]+)/.exec(cookie)?.[1] ?? '');
    const stored = await new Promise((resolve) => rig.store.get(oldSid, (_err, data) => resolve(data)));
    expect(stored ?? null).toBeNull();
  });
});
