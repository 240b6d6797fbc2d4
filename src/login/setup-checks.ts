import type { Request } from 'express';
import type { ResolvedConfig } from '../options.js';
import type { AuthParts } from '../parts.js';
import type { PassportInstance } from './passport-instance.js';
import { canWatchSessionStrategy } from '../seams/passport.js';
import { isSessionIntercepted } from '../seams/express-session.js';
import { loggedInSubject, pendingLogins } from '../session/session-state.js';
import { SetupError } from './setup-error.js';
import { header, mountPath } from '../util/http.js';

export { SetupError } from './setup-error.js';

/** Set on the requests `passport.session()` saw that hold no login of this package (see {@link noteSessionRan}). */
const SAW = Symbol('passport-synergyflow: passport.session() ran');

/**
 * Called by the session-strategy watcher (`seams/passport.ts`) for every request
 * `passport.session()` sees. Passport gives no sign that it ran, and without it a login is
 * stored but never read back: the browser loops between the app and the provider. A request
 * holding a login of this package gets its session guarded there, which is sign enough, so those
 * requests, the hot path, get no extra property (adding one to a request object costs an
 * allocation of its whole property table).
 */
export function noteSessionRan(req: Request): void {
  (req as unknown as Record<symbol, boolean>)[SAW] = true;
}

const SESSION_LINE =
  'add app.use(passport.session()) right after app.use(passport.initialize()) and before the auth routes, on the Passport instance given to auth.use()';

/**
 * Whether `passport.session()` ran for this request. Passport 0.7: the watched strategy saw the
 * request. Otherwise (an instance that cannot be watched, or replaced its session strategy): the
 * session holds a login this package stored, yet no user was restored from it.
 */
function sessionStrategyProblem(passport: PassportInstance, req: Request): string | undefined {
  if (canWatchSessionStrategy(passport)) {
    if ((req as unknown as Record<symbol, boolean>)[SAW] === true || isSessionIntercepted(req)) return undefined;
  } else if (loggedInSubject(req) === undefined || req.user !== undefined) {
    return undefined;
  }
  return `passport.session() did not run before this route, so a login would be stored but never read back (the browser would loop between the app and the provider). Fix: ${SESSION_LINE}.`;
}

function passportOf(parts: AuthParts): PassportInstance | SetupError {
  try {
    return parts.passport();
  } catch {
    return new SetupError(
      'auth.use(passport) was not called. Fix: call auth.use(passport) after app.use(passport.session()), before the first request.',
    );
  }
}

/** `passport.session()` must have run before `requireUser()`, or a stored login is never seen. */
export function sessionSetupProblem(parts: AuthParts, req: Request): SetupError | undefined {
  const passport = passportOf(parts);
  if (passport instanceof SetupError) return passport;
  const problem = sessionStrategyProblem(passport, req);
  return problem === undefined ? undefined : new SetupError(problem);
}

/** What Passport and express-session must have done before the login route runs. */
function middlewareProblem(passport: PassportInstance, req: Request): SetupError | undefined {
  if (!req.session) {
    return new SetupError(
      'express-session is not mounted before this route. Fix: add app.use(session({ secret, resave: false, saveUninitialized: false })) before app.use(passport.initialize()).',
    );
  }
  if (typeof req.logIn !== 'function' || typeof req.isAuthenticated !== 'function') {
    return new SetupError(
      'passport.initialize() did not run before this route. Fix: add app.use(passport.initialize()) after app.use(session(...)), then app.use(passport.session()).',
    );
  }
  const problem = sessionStrategyProblem(passport, req);
  return problem === undefined ? undefined : new SetupError(problem);
}

const samePath = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * The provider sends the browser back to `callbackURL`; the callback router answers at its mount
 * path plus `routes.callback`. The login router is normally mounted beside it, so its mount path
 * tells where the callback will land. A login router mounted alone at `loginURL` is fine too.
 */
function mountProblem(config: ResolvedConfig, req: Request): string | undefined {
  const { login, callback } = config.routes;
  const mount = mountPath(req);
  const expected = new URL(config.callbackURL).pathname;
  if (samePath(mount + callback, expected) || samePath(mount + login, config.loginURL)) return undefined;
  const expectedMount = expected.endsWith(callback) ? expected.slice(0, -callback.length) : undefined;
  const fix =
    expectedMount === undefined
      ? `set routes.callback so that the mount path plus it is "${expected}"`
      : `mount the routers with app.use('${expectedMount || '/'}', auth.loginRouter(), auth.callbackRouter(), auth.logoutRouter()) (in Connect, one app.use('${expectedMount || '/'}', router) per router)`;
  return `the login router is mounted at "${mount || '/'}", so the callback route answers at "${mount}${callback}", but callbackURL (${config.callbackURL}) sends the user back to "${expected}", which would answer 404 after consent. Fix: ${fix}, or change callbackURL and its registration at the provider.`;
}

/** Whether the request came over https, as Express or express-session (`proxy: true`) would see it. */
export function requestLooksSecure(req: Request): boolean {
  if (req.secure || (req.socket as { encrypted?: boolean }).encrypted === true) return true;
  // express-session's own `proxy: true` trusts this header even when Express does not.
  return header(req, 'x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}

/** express-session sends no `Secure` cookie over plain http: the login's state would be lost. */
function droppedCookieProblem(req: Request): string | undefined {
  if (req.session?.cookie.secure !== true || requestLooksSecure(req)) return undefined;
  return "the session cookie is set with secure: true but this request came over plain http, so express-session will not send the cookie and every login would fail with unknown_state. Fix: on http://localhost use cookie: { secure: 'auto' } (or secure: false while developing); behind a TLS-terminating proxy, set app.set('trust proxy', 1) so Express sees https.";
}

/**
 * Everything that would make a login started here fail after consent, checked before the user
 * is sent to the provider (so no authorization code is ever issued in vain).
 */
export function loginSetupProblem(
  parts: AuthParts,
  req: Request,
  where: { inLoginRouter: boolean },
): SetupError | undefined {
  const passport = passportOf(parts);
  if (passport instanceof SetupError) return passport;
  const middleware = middlewareProblem(passport, req);
  if (middleware) return middleware;
  // `auth.login()` may be mounted on any route of the app; only the login router's place says
  // where the callback router is.
  const problem =
    (where.inLoginRouter ? mountProblem(parts.config, req) : undefined) ??
    droppedCookieProblem(req) ??
    parts.refusedCookies.problem(requestLooksSecure(req));
  return problem === undefined ? undefined : new SetupError(problem);
}

/**
 * Why a callback found no pending login, when the request itself shows it: for the debug log,
 * since a bot's stray callback must not fill the console.
 */
export function lostLoginHint(req: Request): string {
  const dropped = droppedCookieProblem(req);
  if (dropped) return dropped;
  // The login-binding cookie travels on its own; what matters is whether the session came back.
  if (!req.headers.cookie || pendingLogins(req) === undefined) {
    return "the callback carried no cookie: the browser did not keep or did not send the session cookie (secure: true over http, sameSite: 'strict', or a cookie domain or path that does not cover the callback)";
  }
  return 'no pending login with this state in the session (used already, expired, or started in another browser)';
}
