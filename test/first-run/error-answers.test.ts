import express from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { isSynergyFlowError } from 'passport-synergyflow';
import { startTestApp, type TestApp } from 'passport-synergyflow/testing';
import { buildApp, type Wiring } from './wiring.js';

// The README promises 401 JSON to API clients. Without auth.errorHandler() Express's fallback
// answered an HTML page with a stack trace; requireUser() now answers itself when the app has no
// error handler at all, and hands the error on when it has one.
let testApp: TestApp | undefined;
afterEach(async () => {
  await testApp?.close();
  testApp = undefined;
});

async function start(wiring: Wiring): Promise<TestApp> {
  testApp = await startTestApp((options) => buildApp(options, wiring));
  return testApp;
}

const loginRequired = {
  error: { code: 'SF_LOGIN_REQUIRED', message: 'Log in required (no session).', reason: 'no_session' },
};

describe('requireUser() answers', () => {
  for (const errorHandler of [true, false]) {
    it(`401 JSON to API clients and a login redirect to browsers, ${errorHandler ? 'with' : 'without'} auth.errorHandler()`, async () => {
      const app = await start({ errorHandler });
      const api = await request(app.url).get('/dashboard').set('accept', 'application/json');
      expect(api.status).toBe(401);
      expect(api.headers['content-type']).toMatch(/^application\/json/);
      expect(api.body).toEqual(loginRequired);
      expect(api.text).not.toMatch(/\bat \S+ \(|<pre>/); // no stack trace, no HTML
      const browser = await request(app.url).get('/dashboard?tab=2').set('accept', 'text/html');
      expect(browser.status).toBe(303);
      expect(browser.headers.location).toBe('/auth/login?returnTo=%2Fdashboard%3Ftab%3D2');
      const { cookie } = await app.login();
      const ok = await request(app.url).get('/dashboard').set('accept', 'application/json').set('cookie', cookie);
      expect(ok.body).toEqual({ name: 'Test User' });
    });
  }

  const mine = (error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction): void => {
    if (!isSynergyFlowError(error)) return next(error);
    res.status(499).json({ mine: error.code });
  };

  it("hands the error to the app's own error middleware when it would see the error", async () => {
    const app = await start({ errorHandler: false, routes: (server) => server.use(mine) });
    const api = await request(app.url).get('/dashboard').set('accept', 'application/json');
    expect(api.status).toBe(499);
    expect(api.body).toEqual({ mine: 'SF_LOGIN_REQUIRED' });
  });

  it('tells a router whose own error middleware catches it from a sibling router whose one cannot', async () => {
    const app = await start({
      errorHandler: false,
      routes: (server, auth) => {
        const api = express.Router();
        api.get('/api/me', auth.requireUser(), (req, res) => void res.json({ name: req.user!.name }));
        api.use(mine);
        const sibling = express.Router();
        sibling.use(mine); // Express never passes an error into a router it did not come from
        server.use(api, sibling);
      },
    });
    const inRouter = await request(app.url).get('/api/me').set('accept', 'application/json');
    expect(inRouter.body).toEqual({ mine: 'SF_LOGIN_REQUIRED' });
    const outside = await request(app.url).get('/dashboard').set('accept', 'application/json');
    expect(outside.status).toBe(401);
    expect(outside.body).toEqual(loginRequired);
  });

  it('answers inside a sub-app whose parent has no handler, and defers to a parent that has one', async () => {
    for (const parentHandles of [false, true]) {
      testApp = await startTestApp((options) => {
        // The quick-start app becomes a sub-app of a bigger one.
        const parent = express();
        parent.use(buildApp(options, { errorHandler: false }));
        if (parentHandles) {
          parent.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
            res.status(418).json({ parent: true });
          });
        }
        return parent;
      });
      const api = await request(testApp.url).get('/dashboard').set('accept', 'application/json');
      expect(api.body).toEqual(parentHandles ? { parent: true } : loginRequired);
      await testApp.close();
      testApp = undefined;
    }
  });
});
