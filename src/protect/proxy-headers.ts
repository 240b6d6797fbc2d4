import type { Request, Response } from 'express';

// What the proxy forwards is a list of what is needed, not a list of what is dangerous: the
// browser's cookies (for every app of the site), its Authorization, Origin, Referer, Sec-*,
// X-Forwarded-* and whatever headers a future browser adds never reach the provider.
const REQUEST_HEADERS = [
  'accept',
  'accept-language',
  'content-type',
  'content-language',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'prefer',
  'x-request-id',
];

// Never forwarded, even when the app lists them: credentials, the connection's own headers
// (hop-by-hop, RFC 9110 §7.6.1) and what fetch computes itself.
const NEVER = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'expect',
  'accept-encoding',
]);

// What comes back from the provider, likewise: never Set-Cookie (the provider's cookies must
// not land on this origin), never hop-by-hop headers, never the provider's CORS headers (the
// app's own CORS settings answer the browser), never Content-Encoding or Content-Length (fetch
// has already decoded the body).
const RESPONSE_HEADERS = [
  'content-type',
  'content-language',
  'content-disposition',
  'etag',
  'last-modified',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-request-id',
];

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

/** Validates `forwardHeaders` once and returns every request header the proxy forwards. */
export function forwardedHeaderNames(extra: unknown): ReadonlySet<string> {
  if (extra !== undefined && !Array.isArray(extra)) {
    throw new TypeError('passport-synergyflow: apiProxy() option "forwardHeaders" must be a list of header names.');
  }
  const names = new Set(REQUEST_HEADERS);
  for (const name of (extra ?? []) as unknown[]) {
    const lower = typeof name === 'string' ? name.toLowerCase() : '';
    if (!HEADER_NAME.test(lower) || NEVER.has(lower) || /^(sec-|x-forwarded-|forwarded$)/.test(lower)) {
      throw new TypeError(
        `passport-synergyflow: apiProxy() cannot forward the header ${JSON.stringify(String(name).slice(0, 64))}: credentials, hop-by-hop and browser headers never reach the provider.`,
      );
    }
    names.add(lower);
  }
  return names;
}

/** The request headers to send upstream: the listed ones, minus any the `Connection` header names. */
export function upstreamHeaders(req: Request, names: ReadonlySet<string>): Record<string, string> {
  const hopByHop = new Set(
    (req.get('connection') ?? '')
      .toLowerCase()
      .split(',')
      .map((token) => token.trim()),
  );
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = req.headers[name];
    if (typeof value === 'string' && !hopByHop.has(name)) headers[name] = value;
  }
  return headers;
}

/** Copies the provider's answer headers the browser may see onto `res`. */
export function copyAnswerHeaders(from: Headers, res: Response): void {
  for (const name of RESPONSE_HEADERS) {
    const value = from.get(name);
    if (value !== null) res.setHeader(name, value);
  }
}
