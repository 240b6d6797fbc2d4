import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { proxyTestFile, sha256 } from '../helpers/proxy-rig.js';
import type { RawAnswer } from '../helpers/raw-http.js';
import type { Rig } from '../helpers/rig.js';

// The provider's answers through the API proxy: a 401 is retried once after a refresh when the
// body can be sent again, and 401, 429 and 5xx come back as the package's JSON errors.

let rig: Rig;

const { spa, raw, json } = proxyTestFile((started) => (rig = started));

describe("auth.apiProxy(): the provider's answers", () => {
  it('a 401 refreshes once and retries once with the same body', async () => {
    rig.emulator.expireAccessTokens();
    const body = Buffer.from(JSON.stringify({ name: 'after refresh' }));
    const answer = await raw('POST', '/bff/api/things', spa({ 'content-type': 'application/json' }), body);
    expect(answer.status).toBe(201);
    expect(json(answer.body)).toEqual({ created: { name: 'after refresh' } });
    expect(rig.emulator.counters.refreshGrants).toBe(1);
    expect(rig.emulator.counters.api).toBe(2);
  });

  it('a 401 during a streamed upload refreshes but does not resend; the next upload needs no refresh', async () => {
    rig.emulator.expireAccessTokens();
    const bytes = randomBytes(100_000);
    const upload = (): Promise<RawAnswer> =>
      raw(
        'POST',
        '/bff/api/uploads',
        spa({ 'content-type': 'application/octet-stream', accept: 'application/json' }),
        Readable.from([bytes.subarray(0, 70_000), bytes.subarray(70_000)]),
      );
    const first = await upload();
    expect(first.status).toBe(503);
    expect(first.headers['retry-after']).toBe('0');
    expect(json(first.body)).toMatchObject({ error: { code: 'SF_PROXY_REFUSED', reason: 'upload_not_retried' } });
    expect(rig.emulator.counters.refreshGrants).toBe(1);
    const second = await upload();
    expect(second.status).toBe(201);
    expect(json(second.body)).toMatchObject({ size: 100_000, sha256: sha256(bytes) });
    expect(rig.emulator.counters.refreshGrants).toBe(1);
  });

  it('a 401 after the refresh too ends the login (401 JSON)', async () => {
    rig.emulator.failNext('/api/things/:id', { status: 401 }, 2);
    const answer = await raw('GET', '/bff/api/things/7', spa({ accept: 'application/json' }));
    expect(answer.status).toBe(401);
    expect(json(answer.body)).toMatchObject({ error: { code: 'SF_UNAUTHORIZED' } });
    expect(rig.emulator.counters.refreshGrants).toBe(1);
  });

  it('a 429 keeps its Retry-After, a 500 is a 502, as JSON errors without the provider body', async () => {
    rig.emulator.failNext('/api/things/:id', { status: 429, headers: { 'Retry-After': '17' } });
    const limited = await raw('GET', '/bff/api/things/7', spa({ accept: 'application/json' }));
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('17');
    expect(json(limited.body)).toMatchObject({ error: { code: 'SF_RATE_LIMITED', retryAfter: 17 } });
    // The rate-limit window is the one auth.api() uses: nothing is sent while it is open.
    const calls = rig.emulator.counters.api;
    expect((await raw('GET', '/bff/api/things/8', spa())).status).toBe(429);
    expect(rig.emulator.counters.api).toBe(calls);

    const other = await rig.login();
    rig.emulator.failNext('/api/things/:id', { status: 500, body: { message: 'Server Error', trace: 'secret' } });
    const failed = await raw('GET', '/bff/api/things/7', {
      ...spa({ accept: 'application/json' }),
      cookie: other.cookieHeader(rig.url),
    });
    expect(failed.status).toBe(502);
    expect(json(failed.body)).toMatchObject({ error: { code: 'SF_PROVIDER_ERROR' } });
    expect(failed.body.toString('utf8')).not.toContain('secret');
  });

  it("passes the API's own 4xx answers (404, 422) through as they are", async () => {
    rig.emulator.failNext('/api/things/:id', { status: 404, body: { message: 'No such thing' } });
    const missing = await raw('GET', '/bff/api/things/9', spa());
    expect(missing.status).toBe(404);
    expect(json(missing.body)).toEqual({ message: 'No such thing' });
  });
});
