import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { requestAuth, sessionProfile } from 'passport-synergyflow';
import { startTestApp } from 'passport-synergyflow/testing';
import { buildApp, pageText } from './wiring.js';

// Behind requireUser() the profile and the token are there: the typed accessors return them
// without `!`. Without requireUser() in front, the handler's mistake says which line to add.
describe('sessionProfile(req) and requestAuth(req)', () => {
  it('read the profile and the token behind requireUser(), and name the fix without it', async () => {
    const testApp = await startTestApp((options) =>
      buildApp(options, {
        routes(app, auth) {
          app.get('/me', auth.requireUser(), (req, res, next) => {
            const { name, email } = sessionProfile(req);
            requestAuth(req)
              .token()
              .then((token) => res.json({ name, email, token: token.accessToken.length > 0 }), next);
          });
          app.get('/unprotected', (req, res) => {
            res.json({ name: sessionProfile(req).name });
          });
        },
      }),
    );
    try {
      const { cookie } = await testApp.login();
      const me = await request(testApp.url).get('/me').set('Cookie', cookie).expect(200);
      expect(me.body).toEqual({ name: 'Test User', email: 'test@example.com', token: true });
      const mistake = await request(testApp.url).get('/unprotected').set('Cookie', cookie);
      expect(mistake.status).toBe(500);
      expect(pageText(mistake.text)).toMatch(
        /sessionProfile\(req\) found nothing on this request: mount auth\.requireUser\(\) before the handler/,
      );
    } finally {
      await testApp.close();
    }
  });
});
