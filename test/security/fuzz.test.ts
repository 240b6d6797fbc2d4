import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Misbehaviour } from 'passport-synergyflow/testing';
import { startRig, type Rig } from '../helpers/rig.js';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ auth: { profileTtlSeconds: 0, timeoutSeconds: 1 } });
});
afterAll(async () => rig.close());

const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '//evil.com',
    '/\\evil.com',
    'https://evil.com',
    'javascript:alert(1)',
    '%2F%2Fevil',
    '/%0d%0aX:y',
    '../../etc',
    '__proto__',
    'constructor',
    '<script>',
    '%',
    '%E0%A4%A',
  ),
);
const names = fc.constantFrom(
  'code',
  'state',
  'error',
  'error_description',
  'error_uri',
  'iss',
  'returnTo',
  'code[]',
  'state[x]',
  '__proto__',
);

/** Builds a raw query string, keys possibly repeated, values raw or encoded. */
const query = fc
  .array(fc.tuple(names, hostile, fc.boolean()), { maxLength: 6 })
  .map((pairs) =>
    pairs.map(([k, v, raw]) => `${k}=${raw ? v.replace(/[#\s&]/g, '') : encodeURIComponent(v)}`).join('&'),
  );

/** True when a Location header keeps the browser on the app or sends it to the provider. */
const safeLocation = (location: string | undefined): boolean => {
  if (location === undefined) return true;
  const target = new URL(location, rig.url);
  return target.origin === rig.url || target.origin === rig.emulator.url;
};

const noStack = (text: string): boolean => !/\n\s+at [\w.<>]+ \(|node_modules|\.ts:\d+/.test(text);

describe('fuzz: hostile input gets a clean answer', () => {
  it('callback queries: never a 500 or a stack, never a login, never off-site', async () => {
    const browser = new TestBrowser({ accept: 'application/json' });
    await browser.request(`${rig.url}/auth/login`, { follow: false });
    const cookie = browser.cookieHeader(rig.url);
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const answer = await request(rig.server)
          .get(`/auth/callback?${q}`)
          .set('cookie', cookie)
          .set('accept', 'text/html');
        expect(answer.status).not.toBe(500);
        expect(noStack(answer.text ?? '')).toBe(true);
        expect(safeLocation(answer.headers.location as string | undefined)).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(rig.emulator.counters.token).toBe(0);
    expect(
      (await request(rig.server).get('/dashboard').set('cookie', cookie).set('accept', 'application/json')).status,
    ).toBe(401);
  }, 120_000);

  it('returnTo: a completed login never lands off-site', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (returnTo) => {
        const browser = new TestBrowser();
        const end = await browser.request(`${rig.url}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
        expect(end.status).not.toBe(500);
        expect(browser.history.every((answer) => safeLocation(answer.location))).toBe(true);
        expect(new URL(end.url).origin).toBe(rig.url);
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('provider answers and headers: typed errors, never a 500, a hang or a crash', async () => {
    const browser = await rig.login();
    const status = fc.constantFrom(200, 201, 204, 301, 302, 400, 401, 403, 404, 418, 429, 500, 502, 503);
    const headers = fc.dictionary(
      fc.constantFrom('Retry-After', 'WWW-Authenticate', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'Content-Type'),
      fc.string({ unit: 'binary-ascii' }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
    );
    const answer: fc.Arbitrary<Misbehaviour> = fc.oneof(
      fc.record({ status, body: fc.jsonValue(), headers }),
      fc.constantFrom<Misbehaviour>('garbage', 'html', 'huge'),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('user', 'token'), answer, async (endpoint, how) => {
        rig.emulator.clearFailures();
        rig.emulator.failNext(endpoint as 'user' | 'token', how);
        const target = endpoint === 'user' ? `${rig.url}/dashboard` : `${rig.url}/auth/login`;
        const result = await (endpoint === 'user' ? browser : new TestBrowser({ accept: 'application/json' })).request(
          target,
          {
            headers: { accept: 'application/json' },
          },
        );
        expect(result.status).not.toBe(500);
        expect(noStack(result.text)).toBe(true);
      }),
      { numRuns: 150 },
    );
  }, 180_000);
});
