/** Longest `returnTo` kept; longer ones are dropped rather than bloating the session. */
const MAX_RETURN_TO_LENGTH = 2048;
const SAFE_BASE = 'http://return-to.invalid';

/**
 * Accepts `returnTo` only as a same-origin path (`/a/b?x=1`), safe by construction: it must start
 * with exactly one `/`, contain no backslash, whitespace or control character, and still be a
 * path on the same origin once a browser parses it. Returns the normalised path, or `undefined`.
 * Guards against `//evil`, `/\evil`, `/%09/evil`, `javascript:` and friends (CVE-2022-24794,
 * CVE-2021-43812, CVE-2022-24858, CVE-2020-11053).
 */
export function safeReturnTo(input: unknown): string | undefined {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_RETURN_TO_LENGTH) {
    return undefined;
  }
  if (!input.startsWith('/') || input.startsWith('//')) return undefined;
  // Backslashes, whitespace, control and non-ASCII characters have no business in a path we
  // redirect to: browsers rewrite several of them into "/", which turns a path into a host.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\\\s\x00-\x1f\x7f-\uffff]/.test(input)) return undefined;
  let url: URL;
  try {
    url = new URL(input, SAFE_BASE);
  } catch {
    return undefined;
  }
  if (url.origin !== SAFE_BASE) return undefined;
  const path = url.pathname + url.search + url.hash;
  return path.startsWith('//') ? undefined : path;
}

/**
 * The path an unauthenticated request asked for, made safe for `returnTo`: leading slashes are
 * collapsed so that `GET //evil.com/x` returns to `/evil.com/x`, never to another host.
 */
export function requestedPath(originalUrl: string): string | undefined {
  return safeReturnTo(originalUrl.replace(/^\/+/, '/'));
}

/**
 * Accepts a redirect target that is either a same-origin path ({@link safeReturnTo}) or an
 * absolute http(s) URL on one of `trustedOrigins` (a single-page app on its own origin), with no
 * credentials, whitespace, backslash or control character. Returns the normalised target, or
 * `undefined`. Anything else (another origin, `javascript:`, `http:evil.example`) is refused.
 */
export function resolveRedirect(input: unknown, trustedOrigins: readonly string[]): string | undefined {
  const path = safeReturnTo(input);
  if (path !== undefined) return path;
  if (typeof input !== 'string' || input.length > MAX_RETURN_TO_LENGTH || !/^https?:\/\/[^/\\]/i.test(input)) {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\\\s\x00-\x1f\x7f-\uffff]/.test(input)) return undefined;
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return undefined;
  }
  if (url.username || url.password || !trustedOrigins.includes(url.origin)) return undefined;
  return url.href;
}

/** Where the package's own routes are; none of them is ever a place to return to. */
export interface OwnRoutes {
  /** The callback URL: returning there would replay a code. */
  readonly callbackURL: string;
  /** The login route: returning there would start another login. */
  readonly loginURL: string;
}

/**
 * `path` unless it leads to the callback or the login route (compared the way Express routes:
 * case-insensitive, percent-decoded, trailing slash ignored), in which case `undefined`. A
 * callback URL kept as `returnTo` would carry a code into the session and back to the browser.
 */
export function returnPathFor(path: string | undefined, routes: OwnRoutes): string | undefined {
  if (path === undefined) return undefined;
  const own = [new URL(routes.callbackURL).pathname, routes.loginURL].map(comparable);
  return own.includes(comparable(new URL(path, SAFE_BASE).pathname)) ? undefined : path;
}

function comparable(pathname: string): string {
  let decoded = pathname;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    // A malformed escape is compared as it is.
  }
  return decoded.toLowerCase().replace(/\/+$/, '');
}
