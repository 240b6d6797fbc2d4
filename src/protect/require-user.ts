import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { LoginRequiredError } from '../errors.js';
import { isRateLimitError } from '../error-guards.js';
import { logger } from '../log.js';
import type { AuthParts } from '../parts.js';
import type { SynergyFlowProfile } from '../provider/profile.js';
import { sessionSetupProblem } from '../login/setup-checks.js';
import { endLogin } from '../session/end-login.js';
import { outlived, type LifetimeEnd } from '../session/lifetimes.js';
import { passError } from './error-handler.js';
import { forgeryRefusal } from './anti-forgery.js';
import { resolveAntiForgery, type AntiForgeryRouteOptions } from './anti-forgery-setting.js';
import {
  cachedProfile,
  cacheProfile,
  forgetLogin,
  loggedInSubject,
  profileLoadedAt,
  tokenFootprint,
  tokensKnownUsable,
} from '../session/session-state.js';
import { isProfile } from '../provider/profile.js';
import { LazyRequestAuth, type RequestAuth } from '../tokens/request-auth.js';

const log = logger('require-user');

/** Options of `requireUser()`, overriding the instance's for one route. */
export interface RequireUserOptions extends AntiForgeryRouteOptions {
  /** How long a loaded profile is reused on this route, in seconds; 0 always loads it. */
  profileTtlSeconds?: number;
  /**
   * While the provider rate-limits the token, serve the last loaded profile instead of failing
   * with `RateLimitError`. Default true; set false on routes that must show live data.
   */
  serveStaleOnRateLimit?: boolean;
}

// `Express.User` is left to the app (declaration merging, see the README): a package that
// claimed it would break every app with a second Passport strategy.
declare global {
  namespace Express {
    interface Request {
      /** Set by `requireUser()`: the provider's profile and the user's current access token. */
      synergyflow?: RequestAuth;
    }
  }
}

function checkPrerequisites(req: Request): Request {
  if (!req.session) {
    throw new Error('requireUser() needs express-session: mount app.use(session({...})) before it.');
  }
  if (typeof req.isAuthenticated !== 'function') {
    throw new Error(
      'requireUser() needs Passport: mount passport.initialize() and passport.session(), then call auth.use(passport).',
    );
  }
  return req;
}

interface ProfilePolicy {
  ttlMs: number;
  serveStale: boolean;
}

/**
 * Builds the middleware that guarantees, when the handler runs, that the user is logged in,
 * `req.synergyflow.profile` holds the provider's profile (and `req.user` too, unless a `verify`
 * function made the app's own user) and the session a usable access token (`req.synergyflow`). Tokens come
 * through the one token path (refresh when due, one refresh and one retry on a 401); the
 * profile is reused for its TTL and served stale while the provider rate-limits. Every failure
 * goes to `next` as a typed error.
 */
export function createRequireUser(parts: AuthParts, options: RequireUserOptions = {}): RequestHandler {
  const ttlMs = options.profileTtlSeconds === undefined ? parts.config.profileTtlMs : options.profileTtlSeconds * 1000;
  if (!Number.isFinite(ttlMs) || ttlMs < 0) {
    throw new TypeError('passport-synergyflow: requireUser option "profileTtlSeconds" must be a number >= 0.');
  }
  const policy: ProfilePolicy = { ttlMs, serveStale: options.serveStaleOnRateLimit ?? true };
  const antiForgery = resolveAntiForgery(options.antiForgery, 'requireUser antiForgery', parts.config.antiForgery);
  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    // The answer carries the user's data: no shared cache may keep it (the handler may relax it).
    res.setHeader('Cache-Control', 'no-store');
    let sub: string | undefined;
    try {
      const forged = forgeryRefusal(req, antiForgery);
      if (forged) throw forged;
      sub = loggedInSubject(checkPrerequisites(req));
      const usable = sub !== undefined && req.isAuthenticated() && outlived(req, parts.config) === undefined;
      if (usable && serveFromCache(parts, req, sub as string, policy)) return next();
    } catch (error) {
      return passError(parts, middleware, error, req, res, next);
    }
    // The common case answered above, synchronously: no promise, no extra turn of the event loop.
    ensureUser(parts, req, sub, policy).then(
      () => next(),
      (error: unknown) => passError(parts, middleware, error, req, res, next),
    );
  };
  return middleware;
}

/**
 * The hot path: the profile is cached and the token is known usable, so nothing needs the token
 * store or the provider. Returns false when the request needs the full (asynchronous) path.
 */
function serveFromCache(parts: AuthParts, req: Request, sub: string, policy: ProfilePolicy): boolean {
  const now = parts.config.clock();
  if (!isCacheFresh(req, policy, now) || !tokensKnownUsable(req, now)) return false;
  const profile = cachedProfile(req, parts.profiles);
  if (!profile || profile.id !== sub) return false;
  if (log.enabled) log('profile served from cache');
  attach(parts, req, profile);
  return true;
}

function isCacheFresh(req: Request, policy: ProfilePolicy, now: number): boolean {
  const loadedAt = profileLoadedAt(req);
  return loadedAt !== undefined && now - loadedAt < policy.ttlMs;
}

async function ensureUser(
  parts: AuthParts,
  req: Request,
  sub: string | undefined,
  policy: ProfilePolicy,
): Promise<void> {
  if (sub === undefined || !req.isAuthenticated()) await refuse(parts, req, sub);
  const ended = outlived(req, parts.config);
  if (ended) await endByLifetime(parts, req, ended);
  const { tokens } = parts;
  const cached = cachedProfile(req, parts.profiles);
  const cacheFresh = isCacheFresh(req, policy, parts.config.clock());
  const deadline = tokens.deadline();
  await tokens.fresh(req, { deadline });
  const profile =
    cacheFresh && cached ? cached : await loadProfile(parts, req, deadline, policy.serveStale ? cached : undefined);
  if (profile.id !== sub) throw await tokens.forget(req, new LoginRequiredError('user_changed'));
  attach(parts, req, profile);
}

/**
 * Why a request that reached `requireUser()` without a usable login is refused: a wiring mistake
 * (`passport.session()` never ran), a user logged in another way (another Passport strategy), or
 * a login whose user the app's `deserializeUser` no longer finds, which ends that login here,
 * tokens and all.
 */
async function refuse(parts: AuthParts, req: Request, sub: string | undefined): Promise<never> {
  const setup = sessionSetupProblem(parts, req);
  if (setup) throw setup;
  if (sub === undefined) throw new LoginRequiredError(req.isAuthenticated() ? 'other_login' : 'no_session');
  const reason = tokenFootprint(req).read() === undefined ? 'no_tokens' : 'user_not_found';
  log('the app no longer restores the user of this login: ending it');
  await endLogin(parts, req).catch(() => forgetLogin(req));
  throw new LoginRequiredError(reason);
}

/** Ends a login that outlived its idle or absolute lifetime: the package's login and Passport's. */
async function endByLifetime(parts: AuthParts, req: Request, ended: LifetimeEnd): Promise<never> {
  log('the login outlived its lifetime (%s): ending it', ended);
  await endLogin(parts, req).catch(() => forgetLogin(req));
  await new Promise<void>((resolve) => req.logout(() => resolve()));
  throw new LoginRequiredError(ended);
}

/** Puts the profile (and, lazily, the access token) on the request. */
function attach(parts: AuthParts, req: Request, profile: SynergyFlowProfile): void {
  // The app's own user (its serializers, or `verify`) stays; only a profile user is brought up to date.
  if (isProfile(req.user, parts.config.provider.name)) req.user = profile as Express.User;
  req.synergyflow = new LazyRequestAuth(parts.tokens, req, profileLoadedAt(req), profile);
}

/**
 * Loads the profile from the provider through the token path and caches it in the session; while
 * the provider rate-limits the token, `cached` (when given) is served instead.
 */
export async function loadProfile(
  parts: AuthParts,
  req: Request,
  deadline: number,
  cached: SynergyFlowProfile | undefined,
): Promise<SynergyFlowProfile> {
  try {
    const { value } = await parts.tokens.call(req, (t) => parts.client.getUser(t), { deadline });
    cacheProfile(req, value, parts.config.clock());
    log('profile loaded from the provider');
    return value;
  } catch (error) {
    if (isRateLimitError(error) && cached) {
      log('rate-limited for %d s: serving the cached profile', error.retryAfter);
      return cached;
    }
    throw error;
  }
}
