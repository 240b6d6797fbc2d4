import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from 'passport-synergyflow/testing';
import { buildApp } from './wiring.js';

// The error page's title names who failed: the login provider (its token or profile endpoint),
// or the provider's API answering the app's own auth.api() call.
let testApp: TestApp;
let cookie: string;
beforeAll(async () => {
  testApp = await startTestApp((options) =>
    buildApp(options, {
      auth: { profileTtlSeconds: 0 }, // every request loads the profile
      routes(app, auth) {
        app.get('/things', auth.requireUser(), (req, res, next) => {
          auth.api(req, { path: '/api/things' }).then((things) => res.json(things), next);
        });
      },
    }),
  );
  testApp.emulator.route('GET', '/api/things', () => ({ status: 200, body: [] }));
  ({ cookie } = await testApp.login());
});
afterAll(() => testApp.close());

const title = (html: string): string | undefined => /<title>([^<]*)<\/title>/.exec(html)?.[1];

async function page(path: string): Promise<{ status: number; title: string | undefined }> {
  const answer = await request(testApp.url).get(path).set('Cookie', cookie).set('Accept', 'text/html');
  return { status: answer.status, title: title(answer.text) };
}

describe('error page titles', () => {
  it("a 500 from the provider's API on the app's own call names the API, not the login provider", async () => {
    testApp.emulator.failNext('/api/things', { status: 500 });
    expect(await page('/things')).toEqual({ status: 502, title: 'The provider&#39;s API is unavailable' });
  });

  it("a 404 from the provider's API is an unexpected answer, not an outage", async () => {
    testApp.emulator.failNext('/api/things', { status: 404, body: { message: 'Not Found' } });
    expect(await page('/things')).toEqual({ status: 502, title: 'The provider&#39;s API gave an unexpected answer' });
  });

  it('a 500 while loading the profile still names the login provider', async () => {
    testApp.emulator.failNext('user', { status: 500 });
    expect(await page('/dashboard')).toEqual({ status: 502, title: 'The login provider is unavailable' });
  });
});
