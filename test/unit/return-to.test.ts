import { describe, expect, it } from 'vitest';
import { requestedPath, resolveRedirect, safeReturnTo } from '../../src/login/return-to.js';

describe('safeReturnTo', () => {
  it('R1: keeps same-origin paths verbatim', () => {
    expect(safeReturnTo('/')).toBe('/');
    expect(safeReturnTo('/a/b?x=1#f')).toBe('/a/b?x=1#f');
  });

  const rejected = [
    // R2 absolute URLs
    'https://evil.com',
    'http://evil.com',
    'HTTPS://EVIL.COM',
    // R3 scheme-relative and backslash tricks
    '//evil.com',
    '///evil.com',
    '/\\evil.com',
    '\\/evil.com',
    '\\\\evil.com',
    '/\\/evil.com',
    // R4 whitespace and control characters browsers strip
    '/\t/evil.com',
    ' //evil.com',
    '/\r\n/evil.com',
    ' /a',
    '/a ',
    // R5 pseudo-schemes
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'java\nscript:alert(1)',
    'data:text/html,x',
    'vbscript:x',
    // R6 scheme quirks and userinfo
    'http:evil.com',
    'https:/evil.com',
    'https://good.example@evil.com',
    'https://good.example.evil.com',
    // R7 header injection
    '/ok\r\nSet-Cookie: x=y',
    // R8 oversize
    `/${'a'.repeat(10_000)}`,
    // R9 unicode look-alikes
    '／／evil.com',
    '/\u3002evil.com',
    // R12 malformed
    'http://[::1',
    '%',
    'https://',
    '',
  ];
  for (const payload of rejected) {
    it(`rejects ${JSON.stringify(payload.slice(0, 40))}`, () => {
      expect(safeReturnTo(payload)).toBeUndefined();
    });
  }

  it('R3: percent-encoded slashes stay encoded, decoded once at most', () => {
    for (const payload of ['/%2F%2Fevil.com', '/%5C%5Cevil.com', '/%252F%252Fevil.com', '/%09/evil.com']) {
      const safe = safeReturnTo(payload);
      expect(safe === undefined || (safe.startsWith('/') && !safe.startsWith('//'))).toBe(true);
      expect(new URL(safe ?? '/', 'https://app.example').origin).toBe('https://app.example');
    }
  });

  it('rejects non-strings (arrays and objects from the query parser)', () => {
    expect(safeReturnTo(['/a', '/b'])).toBeUndefined();
    expect(safeReturnTo({ x: '/a' })).toBeUndefined();
  });

  it('R10: a requested //evil.com/x returns to /evil.com/x on this site', () => {
    expect(requestedPath('//evil.com/x')).toBe('/evil.com/x');
    expect(requestedPath('///evil.com')).toBe('/evil.com');
  });
});

describe('resolveRedirect: a path, or a URL on a trusted origin (single-page apps)', () => {
  const trusted = ['https://api.example', 'https://app.example'];
  it.each([
    ['/dashboard?x=1', '/dashboard?x=1'],
    ['https://app.example', 'https://app.example/'],
    ['https://app.example/after?tab=2#top', 'https://app.example/after?tab=2#top'],
    ['HTTPS://APP.EXAMPLE/x', 'https://app.example/x'],
  ])('accepts %s', (input, expected) => {
    expect(resolveRedirect(input, trusted)).toBe(expected);
  });
  it.each([
    'https://evil.example/',
    'https://app.example.evil.example/',
    'https://app.example@evil.example/',
    'https://user:pw@app.example/',
    'http://app.example/', // another scheme is another origin
    'https://app.example:8443/',
    'http:app.example',
    'https:/app.example/x',
    'javascript:alert(1)',
    '//app.example/x',
    'https://app.example/\\x',
    'https://app.example/ x',
    'https://app.example/\u3002x',
    `https://app.example/${'a'.repeat(3000)}`,
    42,
  ])('refuses %s', (input) => {
    expect(resolveRedirect(input, trusted)).toBeUndefined();
  });
});
