import type { Response } from 'express';

/**
 * Why browsers refuse this `Set-Cookie` line for its name's prefix (RFC 6265bis, section 4.1.3),
 * or `undefined` when the prefix, if any, is honoured: a `__Secure-` cookie must be `Secure`; a
 * `__Host-` cookie must also have `Path=/` and no `Domain`. Chromium, Firefox and Safari drop such
 * a cookie without a word, so a session cookie named `__Host-sid` served over plain http (where
 * express-session leaves `Secure` off) is never sent back, and every login ends in `unknown_state`.
 */
export function prefixRefusal(setCookie: string): string | undefined {
  const name = cookieName(setCookie);
  const [, ...parts] = setCookie.split(';');
  const host = name.startsWith('__Host-');
  if (!host && !name.startsWith('__Secure-')) return undefined;
  const attributes = parts.map((part) => {
    const eq = part.indexOf('=');
    return { key: (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase(), value: part.slice(eq + 1).trim() };
  });
  const prefix = host ? '__Host-' : '__Secure-';
  if (!attributes.some((a) => a.key === 'secure')) return `a ${prefix} cookie without Secure`;
  if (!host) return undefined;
  if (attributes.some((a) => a.key === 'domain')) return 'a __Host- cookie with a Domain';
  const path = attributes.filter((a) => a.key === 'path').at(-1)?.value;
  return path === '/' ? undefined : 'a __Host- cookie whose Path is not /';
}

/** The name a `Set-Cookie` line sets (empty when it has none). */
function cookieName(setCookie: string): string {
  const pair = setCookie.split(';', 1)[0] ?? '';
  return pair.slice(0, Math.max(pair.indexOf('='), 0)).trim();
}

/** The lines of a response's `Set-Cookie` header, however it was set. */
function setCookieLines(res: Response): string[] {
  const value = res.getHeader('set-cookie');
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [String(value)];
}

/**
 * What the login responses of one `synergyFlow()` showed of the cookies the app sets with them
 * (the session cookie above all), so that the next login over the same kind of connection can be
 * refused with the fix before the user is sent to the provider, and a callback that lost its
 * session can say why. The session middleware sets its cookie while the answer's headers are
 * written, after every route ran, so a response can only be read once it is finished.
 */
export class RefusedCookieWatch {
  /** The last refusal seen on a plain-http login response, by cookie name. */
  #refused: { name: string; why: string } | undefined;

  /** Reads `res`'s cookies once it is finished; a login over https is left alone. */
  watch(res: Response, secure: boolean): void {
    if (secure) return;
    res.once('finish', () => {
      for (const line of setCookieLines(res)) {
        const why = prefixRefusal(line);
        const name = cookieName(line);
        if (why !== undefined) this.#refused = { name, why };
        else if (this.#refused?.name === name) this.#refused = undefined;
      }
    });
  }

  /** The how-to message for a login over plain http, when such a login's cookie was refused. */
  problem(secure: boolean): string | undefined {
    if (secure || this.#refused === undefined) return undefined;
    const { name, why } = this.#refused;
    return `the login route set the cookie "${name}" over plain http as ${why}, which browsers refuse without a word, so it never comes back and every login would fail with unknown_state. Fix: on http://localhost name the session cookie without the prefix (for example name: process.env.NODE_ENV === 'production' ? '__Host-sid' : 'sid'), or serve the app over https.`;
  }
}
