import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { AuthParts } from '../parts.js';
import { noStore } from '../util/no-store.js';
import { logger } from '../log.js';
import { LoginFailedError } from '../errors.js';
import { loginChoice, type LoginChoice } from './login-options.js';
import { returnPathFor } from './return-to.js';
import { startsSilentAttempt } from './silent-renewal.js';
import { loginSetupProblem, requestLooksSecure } from './setup-checks.js';
import { holdsOnlyPendingLogins } from '../session/session-state.js';
import { linkResponse, queryOf } from '../util/http.js';
import { observedRoute } from '../telemetry/observed-route.js';

const log = logger('login');

/**
 * A session created only to carry a login attempt lives no longer than the attempt, so that a
 * flood of abandoned logins does not fill the session store. Sessions holding anything else
 * (the app's data, a previous login) keep the app's cookie settings.
 */
function shortenAnonymousSession(req: Request, ttlMs: number): void {
  const session = req.session;
  if (!session || req.isAuthenticated?.()) return;
  // A minute of grace lets a late callback still be told "expired" rather than "unknown".
  const lifetime = ttlMs + 60_000;
  const current = session.cookie.maxAge;
  if (holdsOnlyPendingLogins(req) && (current === null || current === undefined || current > lifetime)) {
    session.cookie.maxAge = lifetime;
  }
}

/** The parameters of an authorization answer (RFC 6749 §4.1.2, RFC 9207): the callback's, never the login's. */
const CALLBACK_PARAMETERS = ['code', 'state', 'error', 'error_description', 'error_uri', 'iss'] as const;

/**
 * True when the request carries callback parameters. passport-oauth2 treats `code` or `error` as
 * a callback on any route it runs on: on `/login` that would redeem a code without the callback's
 * checks, or raise an error carrying attacker text. They are refused before Passport sees them.
 */
function hasCallbackParameters(req: Request): boolean {
  const body: unknown = req.body;
  const sources = [queryOf(req), typeof body === 'object' && body !== null ? body : {}];
  return sources.some((source) => CALLBACK_PARAMETERS.some((name) => Object.hasOwn(source, name)));
}

/**
 * `GET /login`: starts a login with fresh state and PKCE S256 and redirects to the provider.
 * `?returnTo=/path` is kept server-side with this login (only same-origin paths and URLs on
 * trusted origins; anything else is ignored), so each tab lands where it started. The
 * parameters the `loginParams` option lists (`prompt`, `login_hint`, `scope`) are read too.
 */
export function createLoginRouter(parts: AuthParts): Router {
  const router = Router();
  const start = startLogin(parts, undefined, { inLoginRouter: true });
  router.get(parts.config.routes.login, observedRoute('login'), start);
  return router;
}

/**
 * The login route's handler; `auth.login(options)` mounts it with the app's `choice` (scope,
 * prompt, login hint, returnTo) on any route.
 */
export function startLogin(
  parts: AuthParts,
  choice?: LoginChoice,
  where: { inLoginRouter: boolean } = { inLoginRouter: false },
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    noStore(res);
    linkResponse(req, res);
    const setup = loginSetupProblem(parts, req, where);
    if (setup) return next(setup);
    parts.refusedCookies.watch(res, requestLooksSecure(req));
    if (hasCallbackParameters(req)) {
      log('refused callback parameters on the login route');
      return next(new LoginFailedError('misdirected_callback'));
    }
    shortenAnonymousSession(req, parts.config.loginTimeoutMs);
    const { dropped, ...chosen } = loginChoice(req, parts.config, choice);
    // The package's own routes are never a place to return to (a callback URL would replay a code).
    // A silent renewal attempt asks for no page, and its transaction says so (silent-renewal.ts).
    const silent = startsSilentAttempt(req, res, parts.config, chosen.prompt);
    const login = {
      ...chosen,
      returnTo: returnPathFor(chosen.returnTo, parts.config),
      ...(silent ? { prompt: 'none' as const, silent } : {}),
    };
    if (chosen.returnTo !== undefined && login.returnTo === undefined) dropped.push('returnTo');
    if (dropped.length > 0) log('ignored login parameters: %s', dropped.join(', '));
    try {
      // passport-oauth2 hands an object `state` to the state store (the types only know strings).
      const state = { returnTo: login.returnTo, scope: login.scope, silent: login.silent };
      const options = { ...login, state } as unknown as { state: string };
      parts.passport().authenticate('synergyflow', options)(req, res, next);
    } catch (error) {
      next(error);
    }
  };
}
