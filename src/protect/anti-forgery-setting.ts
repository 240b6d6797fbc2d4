/**
 * The anti-forgery header API calls from your front end must carry (Duende BFF's `X-CSRF: 1`).
 * A cross-site form cannot send a custom header at all, and a cross-origin `fetch()` can send one
 * only after a CORS preflight that your CORS settings answer, so the header proves the call
 * comes from a script of a trusted origin. `SameSite=Lax` alone does not: every origin of the
 * same site (another port, a sibling subdomain) gets the session cookie on its requests.
 */
export interface AntiForgeryOptions {
  /** The header's name. Default `X-CSRF`. */
  header?: string;
  /** The value it must have. Default `1`. */
  value?: string;
}

/**
 * How a route takes the `antiForgery` option: `true` (the default header, or the instance's),
 * `false` (not on this route), or the header to require.
 */
export type AntiForgerySetting = boolean | AntiForgeryOptions;

/** The option of routes that accept it (`requireUser()`, `sessionRouter()`, `apiProxy()`). */
export interface AntiForgeryRouteOptions {
  /**
   * Require the anti-forgery header on this route's requests that are not top-level
   * navigations; `false` lifts the instance's `antiForgery` option here. Default: the instance's.
   */
  antiForgery?: AntiForgerySetting;
}

/** A resolved anti-forgery check: the header name (lower case) and the value it must have. */
export interface AntiForgeryCheck {
  readonly header: string;
  readonly value: string;
}

/** The default header, as Duende BFF names it. */
export const DEFAULT_ANTI_FORGERY: AntiForgeryCheck = Object.freeze({ header: 'x-csrf', value: '1' });

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
const HEADER_VALUE = /^[\x21-\x7e]{1,256}$/;
// Headers a form, or a "simple" cross-origin request, can set (CORS-safelisted or set by the
// browser): requiring one of them would prove nothing.
const PROVES_NOTHING = new Set([
  'accept',
  'accept-language',
  'content-language',
  'content-type',
  'range',
  'cookie',
  'origin',
  'referer',
  'host',
  'user-agent',
]);

function refuse(option: string, requirement: string): never {
  const error = new TypeError(`passport-synergyflow: option "${option}" ${requirement}.`);
  Object.assign(error, { code: 'ERR_INVALID_ARG_VALUE' });
  throw error;
}

/**
 * Validates an `antiForgery` setting once. `inherited` is the instance's check (for `true`);
 * returns `undefined` when the route requires no header.
 */
export function resolveAntiForgery(
  setting: unknown,
  option: string,
  inherited: AntiForgeryCheck | undefined,
): AntiForgeryCheck | undefined {
  if (setting === undefined) return inherited;
  if (setting === false) return undefined;
  if (setting === true) return inherited ?? DEFAULT_ANTI_FORGERY;
  if (typeof setting !== 'object' || setting === null) refuse(option, 'must be true, false or { header, value }');
  const { header = 'X-CSRF', value = '1' } = setting as AntiForgeryOptions;
  if (typeof header !== 'string' || !HEADER_NAME.test(header)) refuse(`${option}.header`, 'must be a header name');
  if (PROVES_NOTHING.has(header.toLowerCase()) || /^(sec-|proxy-)/i.test(header)) {
    refuse(`${option}.header`, 'must be a custom header (a form or a simple request can send this one)');
  }
  if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
    refuse(`${option}.value`, 'must be 1 to 256 visible ASCII characters');
  }
  return Object.freeze({ header: header.toLowerCase(), value });
}
