import type { IncomingMessage, ServerResponse } from 'node:http';
import connect from 'connect';
import session from 'express-session';
import { Passport } from 'passport';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { requestAuth, sessionProfile, synergyFlow } from 'passport-synergyflow';
import { startTestApp, type TestApp, type TestAppAuthOptions } from 'passport-synergyflow/testing';
import { pageText } from './wiring.js';

// The package is Connect middleware too: a plain Connect app hands it Node's own request and
// response (no req.get, req.query, req.baseUrl, res.status, res.json or res.redirect).
let testApp: TestApp | undefined;
afterEach(async () => {
  await testApp?.close();
  testApp = undefined;
});

const json = (res: ServerResponse, body: unknown): void => {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
};

/** The quick start as a Connect app: one handler per `use`, routers mounted at `mount`. */
function connectApp(options: TestAppAuthOptions, mount = '/auth', errorHandler = true): connect.Server {
  const auth = synergyFlow(options);
  const passport = new Passport();
  const app = connect();
  // Passport, express-session and this package type their middleware with Express's types;
  // Connect's are Node's own: the app passes them through as Connect middleware.
  const use = (path: string, handler: unknown): unknown => app.use(path, handler as connect.NextHandleFunction);
  use('/', session({ secret: 'connect', resave: false, saveUninitialized: false }));
  use('/', passport.initialize());
  use('/', passport.session());
  auth.use(passport);
  for (const router of [auth.loginRouter(), auth.callbackRouter(), auth.logoutRouter()]) use(mount, router);
  use('/dashboard', auth.requireUser());
  app.use('/dashboard', (req: IncomingMessage, res: ServerResponse) => json(res, { name: sessionProfile(req).name }));
  use('/token', auth.requireToken());
  app.use('/token', (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => {
    requestAuth(req)
      .token()
      .then((token) => json(res, { token: token.accessToken.length > 0 }), next);
  });
  if (errorHandler) use('/', auth.errorHandler());
  return app;
}

describe('a plain Connect app', () => {
  for (const errorHandler of [true, false]) {
    it(`logs in, protects routes and logs out, ${errorHandler ? 'with' : 'without'} auth.errorHandler()`, async () => {
      testApp = await startTestApp((options) => connectApp(options, '/auth', errorHandler));
      const api = await request(testApp.url).get('/dashboard').set('Accept', 'application/json');
      expect(api.status).toBe(401);
      expect(api.headers['content-type']).toMatch(/^application\/json/);
      expect(api.body).toMatchObject({ error: { code: 'SF_LOGIN_REQUIRED', reason: 'no_session' } });
      const browser = await request(testApp.url).get('/dashboard?tab=2').set('Accept', 'text/html');
      expect(browser.status).toBe(303);
      expect(browser.headers.location).toBe('/auth/login?returnTo=%2Fdashboard%3Ftab%3D2');
      const token = await request(testApp.url).get('/token').set('Accept', 'text/html,*/*;q=0.8');
      expect(token.status).toBe(303);

      const login = await testApp.login({ returnTo: '/dashboard' });
      expect(login.browser.history.at(-1)?.text).toBe('{"name":"Test User"}');
      await request(testApp.url).get('/dashboard').set('Cookie', login.cookie).expect(200, { name: 'Test User' });
      await request(testApp.url).get('/token').set('Cookie', login.cookie).expect(200, { token: true });

      expect(await testApp.logout(login)).toEqual({ status: 303, location: `${testApp.url}/` });
      await request(testApp.url)
        .get('/dashboard')
        .set('Cookie', login.cookie)
        .set('Accept', 'application/json')
        .expect(401);
    });
  }

  it('the wiring check reads the real mount path: routers at "/" while callbackURL points to /auth', async () => {
    testApp = await startTestApp((options) => connectApp(options, '/'));
    const answer = await request(testApp.url).get('/login');
    expect(answer.status).toBe(500);
    expect(pageText(answer.text)).toMatch(
      /the login router is mounted at "\/", so the callback route answers at "\/callback".*app\.use\('\/auth', auth\.loginRouter\(\)/,
    );
  });

  it('the wiring check reads the real mount path: routers at "/sso" are named as such', async () => {
    testApp = await startTestApp((options) => connectApp(options, '/sso'));
    const answer = await request(testApp.url).get('/sso/login');
    expect(answer.status).toBe(500);
    expect(pageText(answer.text)).toMatch(
      /the login router is mounted at "\/sso", so the callback route answers at "\/sso\/callback"/,
    );
  });
});
