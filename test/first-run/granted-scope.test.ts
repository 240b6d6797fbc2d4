import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { startTestApp } from 'passport-synergyflow/testing';
import { buildApp } from './wiring.js';

// RFC 6749 §5.1: a token answer without `scope` granted what was asked. The README promises the
// requested scopes are recorded, so a handler can check them before calling the provider.
describe('token().scope after a login whose token answer names no scope', () => {
  const scopeRoute = { scope: 'user:read user:write' };

  for (const [name, auth] of [
    ['the provider default', {}],
    ['the configured scope', scopeRoute],
  ] as const) {
    it(`records ${name} as granted`, async () => {
      const testApp = await startTestApp((options) =>
        buildApp(options, {
          auth,
          routes(app, a) {
            app.get('/scope', a.requireUser(), (req, res, next) => {
              req.synergyflow!.token().then((token) => res.json({ scope: token.scope ?? null }), next);
            });
          },
        }),
      );
      try {
        expect(testApp.emulator.announceScopes).toBe(false);
        const { cookie } = await testApp.login();
        const answer = await request(testApp.url).get('/scope').set('Cookie', cookie).expect(200);
        expect(answer.body).toEqual({ scope: 'scope' in auth ? ['user:read', 'user:write'] : ['user:read'] });
      } finally {
        await testApp.close();
      }
    });
  }
});
