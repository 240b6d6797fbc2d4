import { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { accepts, mountPath, queryOf } from '../../src/util/http.js';

// In a plain Connect app the package reads Node's own request. Its answers must be the ones
// Express gives, so an app does not behave differently for being Connect: Express's own
// negotiation (the `accepts` package, through req.accepts) is the reference.
const expressAccepts = createRequire(import.meta.url)('accepts') as (req: IncomingMessage) => {
  types(types: string[]): string | false;
};

function nodeRequest(url: string, headers: Record<string, string>, originalUrl?: string): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.url = url;
  Object.assign(req.headers, headers);
  if (originalUrl !== undefined) Object.assign(req, { originalUrl });
  return req;
}

describe("the helpers that stand in for Express's request methods", () => {
  const headers = [
    undefined,
    '',
    'application/json',
    'text/html',
    'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    '*/*',
    'application/json, text/plain, */*',
    'text/*, application/json;q=0.5',
    'application/json;q=0.1, text/html;q=0.2',
    'text/html;q=0, */*',
    'text/html;q=0.5, text/html;q=0.9, application/json;q=0.7',
    'image/png',
    'TEXT/HTML',
    'application/*;q=0.9, text/html;q=0.9',
  ];
  for (const accept of headers) {
    for (const offered of [
      ['json', 'html'],
      ['html', 'json'],
    ]) {
      it(`accepts(${JSON.stringify(offered)}) for Accept ${JSON.stringify(accept)} is Express's answer`, () => {
        const req = nodeRequest('/', accept === undefined ? {} : { accept });
        expect(accepts(req, offered)).toBe(expressAccepts(req).types(offered));
      });
    }
  }

  it('mountPath() is the original path minus the path left to the router', () => {
    expect(mountPath(nodeRequest('/login?x=1', {}, '/auth/login?x=1'))).toBe('/auth');
    expect(mountPath(nodeRequest('/login', {}, '/login'))).toBe('');
    expect(mountPath(nodeRequest('/login/', {}, '/sso/v2/login/'))).toBe('/sso/v2');
  });

  it('queryOf() parses the URL as Express 5 does, without a prototype to pollute', () => {
    const req = nodeRequest('/cb?code=a&state=b&state=c&__proto__=x', {});
    const query = queryOf(req);
    expect({ ...query }).toEqual({ code: 'a', state: ['b', 'c'], ['__proto__']: 'x' });
    expect(Object.getPrototypeOf(query)).toBeNull();
    expect((req as IncomingMessage & { query?: unknown }).query).toBe(query);
  });
});
