import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../helpers/raw-http.js';
import { startRig, type Rig } from '../helpers/rig.js';

// The proxy keeps the client's deadline (timeoutSeconds, the answer's body included) and an
// answer cap of its own: a provider that hangs, trickles or floods costs one bounded request.
let rig: Rig;
let cookie: string;

beforeAll(async () => {
  rig = await startRig({
    auth: { timeoutSeconds: 2.5 },
    routes(app, auth) {
      app.use('/bff', auth.apiProxy({ allow: [{ method: 'GET', path: '/api/things/:id' }], maxAnswerBytes: 100_000 }));
    },
  });
  rig.emulator.route('GET', '/api/things/:id', (req) => ({ body: { id: req.params.id } }));
  cookie = (await rig.login()).cookieHeader(rig.url);
}, 30_000);

afterAll(async () => rig?.close());

const get = (path: string) => rawRequest(rig.url, 'GET', path, { cookie, 'x-csrf': '1', accept: 'application/json' });

describe('auth.apiProxy(): deadline and answer cap', () => {
  it('a provider that does not answer is a 504 JSON error at the deadline', async () => {
    rig.emulator.failNext('/api/things/:id', 'hang');
    const started = Date.now();
    const answer = await get('/bff/api/things/1');
    expect(answer.status).toBe(504);
    expect(answer.json()).toMatchObject({ error: { code: 'SF_PROVIDER_ERROR' } });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('an answer larger than maxAnswerBytes is a 502 JSON error, none of it sent', async () => {
    rig.emulator.failNext('/api/things/:id', 'huge');
    const answer = await get('/bff/api/things/1');
    expect(answer.status).toBe(502);
    expect(answer.json()).toMatchObject({ error: { code: 'SF_PROVIDER_ERROR' } });
    expect(answer.body.length).toBeLessThan(1_000);
  });

  it('an answer still trickling at the deadline is cut off, never passed as complete', async () => {
    rig.emulator.failNext('/api/things/:id', 'slow-body');
    await expect(get('/bff/api/things/1')).rejects.toThrow();
    // The proxy goes on serving.
    expect((await get('/bff/api/things/2')).json()).toEqual({ id: '2' });
  });
});
