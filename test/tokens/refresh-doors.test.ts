// One way to a token (issue 24 part 3): whichever door a request takes to a fresh token, the
// refresh it causes sends the same parameters, and the app holds no member that can refresh
// outside the refresh coordinator. Over HTTP against the emulator; the refresh requests are read
// as they leave (a `fetch` that records, then sends).
import type { NextFunction, Request, Response } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { oauthTokenRequest, synergyFlowProvider, type ProviderDescription } from 'passport-synergyflow';
import { startRig, type Rig } from '../helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

const TTL_SECONDS = 3600;
const json = { accept: 'application/json' };

/**
 * SynergyFlow Pro, but asking for the configured scopes again on a refresh (RFC 6749 §6 allows
 * it): the refresh parameters a door passes then show on the wire.
 */
const scopedRefresh: ProviderDescription = {
  ...synergyFlowProvider,
  tokenRequest(grant, credentials, tokenURL) {
    const request = oauthTokenRequest(grant, credentials, tokenURL);
    if (grant.type !== 'refresh_token' || !grant.params?.scope) return request;
    const body = new URLSearchParams(String(request.init.body));
    body.set('scope', grant.params.scope);
    return { ...request, init: { ...request.init, body: body.toString() } };
  },
};

type Door = 'requireUser' | 'requireUser-token' | 'requireToken' | 'accessToken' | 'api' | 'apiGet' | 'apiProxy';
const DOORS: readonly Door[] = [
  'requireUser',
  'requireUser-token',
  'requireToken',
  'accessToken',
  'api',
  'apiGet',
  'apiProxy',
];

async function start(refreshBodies: URLSearchParams[]): Promise<Rig> {
  const recording: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const body = new URLSearchParams(typeof init?.body === 'string' ? init.body : '');
    if (url.endsWith('/oauth/token') && body.get('grant_type') === 'refresh_token') refreshBodies.push(body);
    return fetch(input, init);
  };
  return startRig({
    clock: true,
    auth: { provider: scopedRefresh, scope: ['user:read'], fetch: recording, profileTtlSeconds: 0 },
    emulator: { accessTokenTtlSeconds: TTL_SECONDS },
    routes(app, auth) {
      const ok = (_req: Request, res: Response) => res.json({ ok: true });
      const token = (req: Request, res: Response, next: NextFunction) =>
        void req.synergyflow?.token().then((t) => res.json({ expiresAt: t.expiresAt }), next);
      app.get('/via/requireUser', auth.requireUser(), ok);
      app.get('/via/requireUser-token', auth.requireUser({ profileTtlSeconds: 3600 * 24 }), token);
      app.get('/via/requireToken', auth.requireToken(), token);
      app.get('/via/accessToken', (req, res, next) => void auth.accessToken(req).then(() => res.json({}), next));
      app.get(
        '/via/api',
        (req, res, next) => void auth.api(req, { path: '/api/user' }).then(ok.bind(null, req, res), next),
      );
      app.get('/via/apiGet', (req, res, next) => void auth.apiGet(req, '/api/user').then(() => res.json({}), next));
      const proxy = auth.apiProxy({ allow: [{ method: 'GET', path: '/api/user' }], antiForgery: false });
      app.use('/via/apiProxy', (req: Request, res: Response, next: NextFunction) => {
        req.url = '/api/user';
        proxy(req, res, next);
      });
    },
  });
}

describe('one way to a token: every door refreshes alike', () => {
  for (const door of DOORS) {
    it(`${door}: a due refresh sends the configured scope, like auth.accessToken()`, async () => {
      const sent: URLSearchParams[] = [];
      rig = await start(sent);
      const browser = await rig.login();
      rig.clock?.advance(TTL_SECONDS + 1);
      const answer = await browser.request(`${rig.url}/via/${door}`, { headers: json });
      expect(answer.status, answer.text).toBe(200);
      expect(sent).toHaveLength(1);
      expect(sent[0]?.get('scope')).toBe('user:read');
    });
  }

  it('auth.client cannot refresh: the only refresh is the coordinator’s', async () => {
    rig = await start([]);
    expect(Object.keys(rig.auth.client).sort()).toEqual(['getJSON', 'getUser', 'request']);
    expect('refresh' in rig.auth.client).toBe(false);
    // @ts-expect-error refresh is not part of auth.client
    expect(rig.auth.client.refresh).toBeUndefined();
  });
});
