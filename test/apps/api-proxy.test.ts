import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { TestBrowser } from 'passport-synergyflow/testing';
import { PROXY_CAP as CAP, proxyTestFile, sha256 } from '../helpers/proxy-rig.js';
import type { Rig } from '../helpers/rig.js';

// The API proxy in front of the emulator's custom routes: a browser's fetch() to /bff/… reaches
// the provider's /… with the user's token, and nothing of the browser's own credentials.

let rig: Rig;
let browser: TestBrowser;

const { spa, raw, json } = proxyTestFile(
  (started) => (rig = started),
  (loggedIn) => (browser = loggedIn),
);

describe('auth.apiProxy(): forwarding', () => {
  it('forwards an allowed GET with its query and the user token, and none of the browser headers', async () => {
    const answer = await raw(
      'GET',
      '/bff/api/things/7?page=2&q=a%20b',
      spa({
        authorization: 'Bearer browser-sent',
        connection: 'x-request-id, keep-alive',
        'x-request-id': 'dropped: named by Connection',
        'x-forwarded-for': '10.0.0.1',
        'accept-language': 'fr',
        origin: 'http://evil.example',
        'sec-fetch-site': 'same-site',
      }),
    );
    expect(answer.status).toBe(200);
    expect(json(answer.body)).toMatchObject({ id: '7', query: { page: '2', q: 'a b' }, user: 1 });
    const seen = rig.emulator.calls.at(-1);
    expect(seen?.url).toBe('/api/things/7?page=2&q=a%20b');
    expect(seen?.headers.authorization).toMatch(/^Bearer (?!browser-sent)/);
    expect(seen?.headers['accept-language']).toBe('fr');
    for (const name of ['cookie', 'x-csrf', 'x-request-id', 'x-forwarded-for', 'origin', 'sec-fetch-site']) {
      expect(seen?.headers[name], name).toBeUndefined();
    }
    // The provider's cookies and CORS headers stay with the provider; the answer is not cached.
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(answer.headers.etag).toBe('"v1"');
    expect(answer.headers['cache-control']).toBe('no-store');
    const everything = JSON.stringify(answer.headers) + answer.body.toString('utf8');
    for (const secret of rig.emulator.issuedSecrets()) expect(everything).not.toContain(secret);
  });

  it('forwards a JSON body, and streams a binary answer back', async () => {
    const body = Buffer.from(JSON.stringify({ name: 'Ünïcode thing', n: 1 }));
    const posted = await raw('POST', '/bff/api/things', spa({ 'content-type': 'application/json' }), body);
    expect(posted.status).toBe(201);
    expect(json(posted.body)).toEqual({ created: { name: 'Ünïcode thing', n: 1 } });
    const file = await raw('GET', '/bff/api/files/a/b', spa());
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/octet-stream');
    expect(file.body.equals(Buffer.alloc(200_000, 7))).toBe(true);
  });

  it('behind body parsers, sends the parsed JSON or form again', async () => {
    const posted = await raw(
      'POST',
      '/parsed/api/things',
      spa({ 'content-type': 'application/json' }),
      Buffer.from('{"name":"parsed"}'),
    );
    expect(json(posted.body)).toEqual({ created: { name: 'parsed' } });
    const form = await raw(
      'POST',
      '/parsed/api/things',
      spa({ 'content-type': 'application/x-www-form-urlencoded' }),
      Buffer.from('name=a+b&tag=1&tag=2'),
    );
    expect(json(form.body)).toEqual({ text: 'name=a+b&tag=1&tag=2' });
  });

  it('streams a binary upload larger than the replay buffer, chunk by chunk', async () => {
    const bytes = randomBytes(200_000);
    const chunks = Array.from({ length: 20 }, (_, i) => bytes.subarray(i * 10_000, (i + 1) * 10_000));
    const answer = await raw(
      'POST',
      '/bff/api/uploads',
      spa({ 'content-type': 'application/octet-stream' }),
      Readable.from(chunks),
    );
    expect(answer.status).toBe(201);
    expect(json(answer.body)).toEqual({ size: 200_000, sha256: sha256(bytes), type: 'application/octet-stream' });
  });

  it('refuses a body over the cap with 413, declared or streamed', async () => {
    const declared = await raw(
      'POST',
      '/bff/api/uploads',
      spa({ 'content-type': 'application/octet-stream', accept: 'application/json' }),
      randomBytes(CAP + 1),
    );
    expect(declared.status).toBe(413);
    expect(json(declared.body)).toMatchObject({ error: { code: 'SF_PROXY_REFUSED', reason: 'body_too_large' } });
    expect(rig.emulator.counters.api).toBe(0);
    const chunks = Array.from({ length: 30 }, () => randomBytes(10_000));
    const streamed = await raw(
      'POST',
      '/bff/api/uploads',
      spa({ 'content-type': 'application/octet-stream', accept: 'application/json' }),
      Readable.from(chunks),
    );
    expect(streamed.status).toBe(413);
    expect(json(streamed.body)).toMatchObject({ error: { code: 'SF_PROXY_REFUSED', reason: 'body_too_large' } });
  });
});

describe('auth.apiProxy(): what it refuses', () => {
  it('refuses a call without the anti-forgery header before any token work', async () => {
    const before = rig.emulator.counters.token;
    for (const headers of [
      { cookie: browser.cookieHeader(rig.url), 'sec-fetch-mode': 'cors', accept: 'application/json' },
      { cookie: browser.cookieHeader(rig.url), 'x-csrf': '0', accept: 'application/json' },
      // A cross-site form: a navigation, but a POST, and a form cannot set the header.
      {
        cookie: browser.cookieHeader(rig.url),
        'sec-fetch-mode': 'navigate',
        'sec-fetch-site': 'cross-site',
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
    ]) {
      const answer = await raw('POST', '/bff/api/things', headers, Buffer.from('name=x'));
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(json(answer.body)).toMatchObject({
        error: { code: 'SF_CROSS_SITE_REQUEST', reason: 'missing_anti_forgery_header' },
      });
    }
    expect(rig.emulator.counters.api).toBe(0);
    expect(rig.emulator.counters.token).toBe(before);
  });

  it('refuses paths and methods off the allow-list, and malformed paths', async () => {
    const cases: [string, string, number, string][] = [
      ['GET', '/bff/api/user', 404, 'path_not_allowed'],
      ['GET', '/bff/oauth/token', 404, 'path_not_allowed'],
      ['GET', '/bff/api/things/7/more', 404, 'path_not_allowed'],
      ['DELETE', '/bff/api/things/7', 405, 'method_not_allowed'],
      ['GET', '/bff/api/things/..%2fuser', 400, 'invalid_path'],
      ['GET', '/bff/api/things/%2e%2e', 400, 'invalid_path'],
      ['GET', '/bff/api/things/../../api/user', 400, 'invalid_path'],
      ['GET', '/bff/api/things/a%5c..', 400, 'invalid_path'],
      ['GET', '/bff/api//things/7', 400, 'invalid_path'],
    ];
    for (const [method, path, status, reason] of cases) {
      const answer = await raw(method, path, spa({ accept: 'application/json' }));
      expect(answer.status, `${method} ${path}`).toBe(status);
      expect(json(answer.body), path).toMatchObject({ error: { code: 'SF_PROXY_REFUSED', reason } });
    }
    expect((await raw('DELETE', '/bff/api/things/7', spa())).headers.allow).toBe('GET');
    expect(rig.emulator.counters.api + rig.emulator.counters.user).toBe(0);
  });

  it('answers a browser that is not logged in with 401 JSON, and sends nothing', async () => {
    const answer = await raw('GET', '/bff/api/things/7', { 'x-csrf': '1', accept: 'application/json' });
    expect(answer.status).toBe(401);
    expect(json(answer.body)).toMatchObject({ error: { code: 'SF_LOGIN_REQUIRED' } });
    expect(rig.emulator.counters.api).toBe(0);
  });
});
