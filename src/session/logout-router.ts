import { Router, type NextFunction, type Request, type Response } from 'express';
import type { AuthParts } from '../parts.js';
import { noStore } from '../util/no-store.js';
import { endLoginAndRevoke } from './revoke-at-logout.js';
import { loggedInSubject } from './session-state.js';
import { accepts, header, redirect, send } from '../util/http.js';
import { CrossSiteRequestError } from '../errors.js';
import { emit } from '../hooks.js';
import { logger } from '../log.js';

const log = logger('logout');

function originOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return new URL(value).origin;
  } catch {
    return 'invalid';
  }
}

/**
 * True when a state-changing request comes from one of our own pages: its `Origin` (or, when a
 * browser sends none, its `Referer`) must be a trusted origin. `Sec-Fetch-Site: same-origin` is
 * accepted on its own.
 *
 * A `same-site` or `cross-site` request (a single-page app on another origin) passes only with
 * an `Origin` header naming one of the `trustedOrigins` option's origins: browsers always send it on such POSTs, and
 * "same-site" alone proves little. Any subdomain of the site (a forgotten staging host, a
 * user-content host) is same-site, and `SameSite=Lax` cookies ride along on its requests.
 */
export function isSameSiteRequest(req: Request, trustedOrigins: readonly string[]): boolean {
  const fetchSite = header(req, 'sec-fetch-site');
  if (fetchSite === 'cross-site' || fetchSite === 'same-site') {
    // Only the configured extra origins: a browser on the callback's own origin says same-origin.
    const origin = originOf(header(req, 'origin'));
    return origin !== undefined && trustedOrigins.slice(1).includes(origin);
  }
  const origin = originOf(header(req, 'origin')) ?? originOf(header(req, 'referer'));
  if (origin === undefined) return fetchSite === 'same-origin';
  return trustedOrigins.includes(origin);
}

/**
 * True for `fetch()`/XHR and JSON clients, which get 204 instead of a redirect they would
 * follow blindly. A form asks for HTML; browsers mark `fetch()` with a `Sec-Fetch-Mode` other
 * than `navigate` (Node's fetch does too).
 */
function isScriptClient(req: Request): boolean {
  if (header(req, 'x-requested-with')?.toLowerCase() === 'xmlhttprequest') return true;
  const accept = header(req, 'accept');
  if (accept?.includes('text/html')) return false;
  const mode = header(req, 'sec-fetch-mode');
  if (mode !== undefined) return mode !== 'navigate';
  return accept !== undefined && accepts(req, ['html', 'json']) === 'json';
}

/**
 * `POST /logout`: refuses cross-site requests, forgets the tokens, ends the Passport login
 * (which regenerates the session), and answers 303 to `logoutRedirect` (forms) or 204 (`fetch`
 * and JSON clients). `GET /logout` answers 405: a link or an image tag must not log anyone out.
 */
export function createLogoutRouter(parts: AuthParts): Router {
  const router = Router();
  const path = parts.config.routes.logout;
  router.get(path, (_req: Request, res: Response) => {
    noStore(res);
    res.setHeader('Allow', 'POST');
    send(res, 405, 'text/plain; charset=utf-8', 'Log out with a POST request from a form on this site.');
  });
  router.post(path, (req: Request, res: Response, next: NextFunction) => {
    noStore(res);
    if (!isSameSiteRequest(req, parts.config.trustedOrigins)) {
      log('refused a cross-site logout');
      return next(new CrossSiteRequestError());
    }
    const started = Date.now();
    const done = (): void => {
      if (!isScriptClient(req)) return redirect(res, 303, parts.config.logoutRedirect);
      res.statusCode = 204;
      res.end();
    };
    if (!req.session) return done();
    const userId = loggedInSubject(req);
    if (userId === undefined && !req.isAuthenticated?.()) return done();
    endLoginAndRevoke(parts, req, userId).then(() => {
      req.logout((error: unknown) => {
        if (error) return next(error);
        emit(parts.config.hooks, 'onLogout', { outcome: 'success', durationMs: Date.now() - started, userId });
        done();
      });
    }, next);
  });
  return router;
}
