import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { isProviderError, type ApiRequest } from 'passport-synergyflow';
import { startRig, type Rig } from '../helpers/rig.js';

let rig: Rig;
afterEach(async () => rig?.close());

const json = { accept: 'application/json' };

interface Thing {
  id: number;
  name: string;
  owner: number;
}

/** An app whose routes call the provider's API with auth.api(), as an app's own code would. */
async function apiRig(): Promise<Rig> {
  return startRig({
    auth: { extraScopes: ['user:write'] },
    routes(app, auth) {
      app.use(express.json());
      app.post('/things', auth.requireUser(), (req: Request, res: Response, next: NextFunction) => {
        auth.api<Thing>(req, { method: 'POST', path: '/api/things', body: req.body }).then(
          (thing) => res.status(201).json(thing),
          (error: unknown) => {
            // A 4xx answer of the provider's API carries its JSON for the app to show.
            if (isProviderError(error) && error.providerStatus === 422) return res.status(422).json(error.details);
            next(error);
          },
        );
      });
      app.post('/raw', auth.requireUser(), (req: Request, res: Response, next: NextFunction) => {
        auth.api(req, req.body as ApiRequest).then((value) => res.json({ value: value ?? null }), next);
      });
      app.get('/auth/upgrade', auth.login({ scope: ['user:read', 'user:write'], returnTo: '/done' }));
      app.get('/done', (_req, res) => res.type('text/plain').send('done'));
    },
  });
}

function things(current: Rig): void {
  current.emulator.route(
    'POST',
    '/api/things',
    (req) => {
      const body = req.body as { name?: unknown };
      if (typeof body?.name !== 'string') return { status: 422, body: { errors: { name: ['required'] } } };
      return { status: 201, body: { id: 7, name: body.name, owner: req.userId } };
    },
    { scope: 'user:write' },
  );
  current.emulator.route('DELETE', '/api/things/:id', (req) => ({
    status: 204,
    headers: { 'x-id': req.params.id ?? '' },
  }));
}

describe('auth.api(): any provider call through the one token path', () => {
  it('POSTs JSON with the Bearer token; a missing scope is 403, incremental consent fixes it', async () => {
    rig = await apiRig();
    things(rig);
    const browser = await rig.login();
    const post = (body: object) =>
      request(rig.server).post('/things').set(json).set('cookie', browser.cookieHeader(rig.url)).send(body);
    const forbidden = await post({ name: 'kettle' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ error: { code: 'SF_FORBIDDEN' } });
    // The app asks for the missing scope with a login of its own choosing.
    const upgraded = await browser.request(`${rig.url}/auth/upgrade`);
    expect(upgraded.url).toBe(`${rig.url}/done`);
    expect(rig.emulator.authorizations.at(-1)?.scopes).toEqual(['user:read', 'user:write']);
    const created = await post({ name: 'kettle' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: 7, name: 'kettle', owner: 1 });
    const call = rig.emulator.calls.filter((c) => c.endpoint === 'api').at(-1);
    expect(call?.json).toEqual({ name: 'kettle' });
    expect(call?.headers.authorization).toMatch(/^Bearer at_/);
    expect(call?.headers['content-type']).toBe('application/json');
    const invalid = await post({});
    expect(invalid.status).toBe(422);
    expect(invalid.body).toEqual({ errors: { name: ['required'] } });
  });

  it('a 401 costs one refresh and one retry; 429 keeps its status and Retry-After; 204 is undefined', async () => {
    rig = await apiRig();
    things(rig);
    const browser = await rig.login();
    const raw = (call: ApiRequest) =>
      request(rig.server).post('/raw').set(json).set('cookie', browser.cookieHeader(rig.url)).send(call);
    rig.emulator.resetCounters();
    rig.emulator.failNext('/api/things/:id', { status: 401 });
    const deleted = await raw({ method: 'DELETE', path: '/api/things/9' });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ value: null });
    expect(rig.emulator.counters.refreshGrants).toBe(1);
    expect(rig.emulator.counters.api).toBe(2);
    rig.emulator.failNext('/api/things/:id', { status: 429, headers: { 'Retry-After': '17' } });
    const limited = await raw({ method: 'DELETE', path: '/api/things/9' });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('17');
    // The window is shared with every call of that token: nothing is sent until it passes.
    const before = rig.emulator.counters.api;
    expect((await raw({ method: 'DELETE', path: '/api/things/9' })).status).toBe(429);
    expect(rig.emulator.counters.api).toBe(before);
  });

  it('never sends the token off the provider, and refuses malformed requests before reading any token', async () => {
    rig = await apiRig();
    const browser = await rig.login();
    rig.emulator.resetCounters();
    for (const call of [
      { path: 'https://evil.example/steal' },
      { path: '//evil.example/steal' },
      { path: '/\\evil.example' },
      { path: '/api/x', method: 'TRACE' },
      { path: '/api/x', method: 'GET', body: { a: 1 } },
      { path: '/api/x', headers: { Authorization: 'Bearer mine' } },
      { path: '/api/x', headers: { 'x-bad': 'a\r\nInjected: 1' } },
    ]) {
      const answer = await request(rig.server)
        .post('/raw')
        .set(json)
        .set('cookie', browser.cookieHeader(rig.url))
        .send(call);
      expect(answer.status, JSON.stringify(call)).toBe(500);
      expect(answer.text).not.toContain('at_');
    }
    expect(rig.emulator.counters.api + rig.emulator.counters.token + rig.emulator.counters.user).toBe(0);
    // Unknown paths are the provider's 404, as a typed error with its status.
    const missing = await request(rig.server)
      .post('/raw')
      .set(json)
      .set('cookie', browser.cookieHeader(rig.url))
      .send({ path: '/api/nothing' });
    expect(missing.status).toBe(502);
    expect(missing.body).toMatchObject({ error: { code: 'SF_PROVIDER_ERROR' } });
  });
});
