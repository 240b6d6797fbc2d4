import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { setCookie } from '../util/http.js';

const VALUE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** A late callback is still told "expired" rather than "unknown" for this long after the TTL. */
const GRACE_MS = 60_000;

/**
 * Binds each pending login to the browser that started it, with an `HttpOnly` cookie the
 * session cannot carry: a random value set by `/login` when absent, whose hash the login
 * transaction keeps. A callback whose cookie does not match is refused, so a login an attacker
 * started in his own browser cannot be finished in the victim's, even when he planted his
 * session cookie there (session swap). All tabs of one browser share the cookie, so several
 * logins at once keep working.
 *
 * On https the cookie is `__Host-sf-login` (Secure, `Path=/`, no `Domain`): a sibling subdomain
 * or a plain-http hop cannot set such a cookie. On http (localhost development) it is `sf-login`.
 */
export class LoginBinding {
  /** The cookie's name. */
  readonly cookieName: string;
  readonly #secure: boolean;
  readonly #maxAgeMs: number;
  readonly #issued = new WeakMap<Request, string>();

  /**
   * @param callbackURL the configured callback URL (https gives the `__Host-` cookie).
   * @param loginTtlMs how long a login stays valid.
   */
  constructor(callbackURL: string, loginTtlMs: number) {
    this.#secure = new URL(callbackURL).protocol === 'https:';
    this.cookieName = this.#secure ? '__Host-sf-login' : 'sf-login';
    this.#maxAgeMs = loginTtlMs + GRACE_MS;
  }

  /**
   * The binding of a login starting now: the browser's value, or a new one. The cookie is
   * (re)sent so it outlives this login. Returns the hash the transaction stores.
   */
  bind(req: Request): string {
    const value = this.#issued.get(req) ?? this.#read(req) ?? randomBytes(32).toString('base64url');
    this.#issued.set(req, value);
    const res = (req as Request & { res?: Response }).res;
    if (res)
      setCookie(res, this.cookieName, value, {
        secure: this.#secure,
        sameSite: 'lax',
        path: '/',
        maxAge: this.#maxAgeMs,
      });
    return digest(value);
  }

  /** Deletes the browser's binding cookie: its last pending login has finished. */
  clear(req: Request): void {
    const res = (req as Request & { res?: Response }).res;
    if (res) setCookie(res, this.cookieName, '', { secure: this.#secure, sameSite: 'lax', path: '/', maxAge: 0 });
  }

  /** True when the request carries the browser binding whose hash is `expected`. */
  matches(req: Request, expected: string | undefined): boolean {
    const value = this.#read(req);
    if (value === undefined || expected === undefined) return false;
    const actual = Buffer.from(digest(value));
    const wanted = Buffer.from(expected);
    return actual.length === wanted.length && timingSafeEqual(actual, wanted);
  }

  /** The hash of the request's binding cookie, as a login transaction keeps it, if it has one. */
  presented(req: Request): string | undefined {
    const value = this.#read(req);
    return value === undefined ? undefined : digest(value);
  }

  /** The well-formed binding cookie of the request, read from the raw header (no cookie-parser needed). */
  #read(req: Request): string | undefined {
    for (const pair of (req.headers.cookie ?? '').split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim() !== this.cookieName) continue;
      const value = pair.slice(eq + 1).trim();
      if (VALUE_PATTERN.test(value)) return value;
    }
    return undefined;
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
