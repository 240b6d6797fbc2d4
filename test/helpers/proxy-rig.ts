import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import express from 'express';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { TestBrowser } from 'passport-synergyflow/testing';
import { rawRequest, type RawAnswer } from './raw-http.js';
import { startRig, type Rig } from './rig.js';

/** The proxy's body cap in the proxy tests. */
export const PROXY_CAP = 256 * 1024;

/** Hex SHA-256 of bytes, to compare an upload with what the provider received. */
export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * A rig with the API proxy at /bff (and a second one at /parsed, after body parsers) in front
 * of emulator routes that echo what they receive: things, uploads and a 200 kB file.
 */
export async function startProxyRig(): Promise<Rig> {
  const rig = await startRig({
    routes(app, auth) {
      app.use(
        '/bff',
        auth.apiProxy({
          allow: [
            { method: 'GET', path: '/api/things/:id' },
            { method: 'POST', path: '/api/things' },
            { method: 'POST', path: '/api/uploads' },
            { method: 'GET', path: '/api/files/*' },
          ],
          maxBodyBytes: PROXY_CAP,
        }),
      );
      // Mounted after body parsers, as an app might: the parsed body is sent again.
      app.use(
        '/parsed',
        express.json(),
        express.urlencoded({ extended: false }),
        auth.apiProxy({ allow: [{ method: 'POST', path: '/api/things' }] }),
      );
    },
  });
  const { emulator } = rig;
  emulator.route('GET', '/api/things/:id', (req) => ({
    body: { id: req.params.id, query: req.query, user: req.userId, headers: Object.keys(req.headers).sort() },
    headers: { 'set-cookie': 'provider=1; Path=/', etag: '"v1"', 'access-control-allow-origin': '*' },
  }));
  emulator.route('POST', '/api/things', (req) => ({
    status: 201,
    body: { created: req.body, text: req.bytes?.toString('utf8') },
  }));
  emulator.route('POST', '/api/uploads', (req) => ({
    status: 201,
    body: {
      size: req.bytes?.length ?? 0,
      sha256: sha256(req.bytes ?? Buffer.alloc(0)),
      type: req.headers['content-type'],
    },
  }));
  emulator.route('GET', '/api/files/:a/:b', () => ({ bytes: Buffer.alloc(200_000, 7) }));
  return rig;
}

/** What a script's fetch() sends: the session cookie, the anti-forgery header, a CORS mode. */
export function scriptHeaders(
  rig: Rig,
  browser: TestBrowser,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { cookie: browser.cookieHeader(rig.url), 'x-csrf': '1', 'sec-fetch-mode': 'cors', ...extra };
}

/** What a proxy test file sends its requests with, bound to its rig and the test's browser. */
export interface ProxyRequests {
  /** {@link scriptHeaders} of the test's logged-in browser, with `extra`. */
  spa(extra?: Record<string, string>): Record<string, string>;
  /** One request to the rig, sent exactly as written ({@link rawRequest}). */
  raw(method: string, path: string, headers: Record<string, string>, body?: Buffer | Readable): Promise<RawAnswer>;
  /** An answer's body as JSON. */
  json(body: Buffer): unknown;
}

/**
 * The hooks of a proxy test file: one {@link startProxyRig} for the file (handed to `setRig`),
 * and before each test the emulator's failures cleared, a fresh login (handed to `setBrowser`)
 * and the counters zeroed. The file keeps its own `rig` (and `browser`, when it uses one)
 * variables, set through the callbacks, so its tests read as before.
 */
export function proxyTestFile(setRig: (rig: Rig) => void, setBrowser?: (browser: TestBrowser) => void): ProxyRequests {
  let rig: Rig | undefined;
  let browser: TestBrowser | undefined;
  beforeAll(async () => {
    rig = await startProxyRig();
    setRig(rig);
  }, 30_000);
  afterAll(async () => rig?.close());
  beforeEach(async () => {
    rig!.emulator.clearFailures();
    browser = await rig!.login();
    setBrowser?.(browser);
    rig!.emulator.resetCounters();
  });
  return {
    spa: (extra = {}) => scriptHeaders(rig!, browser!, extra),
    raw: (method, path, headers, body) => rawRequest(rig!.url, method, path, headers, body),
    json: (body) => JSON.parse(body.toString('utf8')) as unknown,
  };
}
