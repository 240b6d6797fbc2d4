import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { startTestApp } from 'passport-synergyflow/testing';
import { buildApp } from './wiring.js';

describe('startTestApp()', () => {
  it('gives the builder a registered callback URL on its own port, before the app exists', async () => {
    const seen: string[] = [];
    const testApp = await startTestApp(async (options, { url, emulator }) => {
      seen.push(options.callbackURL, url, options.baseURL === emulator.url ? 'emulator' : 'other');
      return buildApp(options);
    });
    try {
      expect(seen).toEqual([`${testApp.url}/auth/callback`, testApp.url, 'emulator']);
      expect(testApp.authOptions.callbackURL).toBe(seen[0]);
      const home = await request(testApp.server).get('/');
      expect(home.text).toBe('home');
    } finally {
      await testApp.close();
    }
    await expect(fetch(`${testApp.url}/`)).rejects.toThrow();
    await expect(fetch(`${testApp.emulator.url}/oauth/authorize`)).rejects.toThrow();
  });

  it('logs in through the consent page when the emulator does not auto-approve', async () => {
    const testApp = await startTestApp((options) => buildApp(options), { emulator: { autoApprove: false } });
    try {
      const { browser, cookie } = await testApp.login({ returnTo: '/dashboard' });
      expect(browser.history.at(-1)?.url).toBe(`${testApp.url}/dashboard`);
      const me = await request(testApp.url).get('/dashboard').set('Cookie', cookie).expect(200);
      expect(me.body).toEqual({ name: 'Test User' });
    } finally {
      await testApp.close();
    }
  });

  it('logs out with the right Origin through logout(), for a login and for a bare cookie', async () => {
    const testApp = await startTestApp((options) => buildApp(options));
    try {
      const login = await testApp.login();
      await request(testApp.url).get('/dashboard').set('Cookie', login.cookie).expect(200);
      expect(await testApp.logout(login)).toEqual({ status: 303, location: `${testApp.url}/` });
      await request(testApp.url)
        .get('/dashboard')
        .set('Cookie', login.cookie)
        .set('Accept', 'application/json')
        .expect(401);

      const { cookie } = await testApp.login();
      await request(testApp.url).get('/dashboard').set('Cookie', cookie).expect(200);
      expect(await testApp.logout(cookie)).toEqual({ status: 303, location: `${testApp.url}/` });
      await request(testApp.url).get('/dashboard').set('Cookie', cookie).set('Accept', 'application/json').expect(401);
    } finally {
      await testApp.close();
    }
  });

  it('says why a logout was refused', async () => {
    const testApp = await startTestApp((options) => buildApp(options), { logoutPath: '/auth/nowhere' });
    try {
      const login = await testApp.login();
      await expect(testApp.logout(login)).rejects.toThrow(/the logout was refused \(404 at .*\/auth\/nowhere/);
    } finally {
      await testApp.close();
    }
  });

  it('says where a login that did not finish ended', async () => {
    const testApp = await startTestApp((options) => buildApp(options, { cookieSecure: true }));
    try {
      await expect(testApp.login()).rejects.toThrow(/the callback was never reached; last page 500 at .*\/auth\/login/);
    } finally {
      await testApp.close();
    }
  });
});
