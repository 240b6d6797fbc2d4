import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { LoginRequiredError } from '../errors.js';
import { isRateLimitError } from '../error-guards.js';
import { logger } from '../log.js';
import type { AuthParts } from '../parts.js';
import type { SynergyFlowProfile } from '../provider/profile.js';
import { sessionSetupProblem } from '../login/setup-checks.js';
import { passError } from './error-handler.js';
import { forgeryRefusal } from './anti-forgery.js';
import { resolveAntiForgery, type AntiForgeryRouteOptions } from './anti-forgery-setting.js';
import {
  cachedProfile,
  cacheProfile,
  storedLogin,
  tokensKnownUsable,
  type AuthSessionState,
  type SerializedUser,
} from '../session/session-state.js';
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

function checkPrerequisites(req: Request): void {
  if (!req.session) {
    throw new Error('requireUser() needs express-session: mount app.use(session({...})) before it.');
  }
  if (typeof req.isAuthenticated !== 'function') {
    throw new Error(
      'requireUser() needs Passport: mount passport.initialize() and passport.session(), then call auth.use(passport).',
    );
  }
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
    let state: AuthSessionState;
    let served: boolean;
    try {
      const forged = forgeryRefusal(req, antiForgery);
      if (forged) throw forged;
      state = loggedInState(parts, req);
      served = serveFromCache(parts, req, state, policy);
    } catch (error) {
      return passError(parts, middleware, error, req, res, next);
    }
    // The common case answers synchronously: no promise, no extra turn of the event loop.
    if (served) return next();
    ensureUser(parts, req, state, policy).then(
      () => next(),
      (error: unknown) => passError(parts, middleware, error, req, res, next),
    );
  };
  return middleware;
}

/** The login's state, or the error that refuses the request: no login, or a wiring mistake. */
function loggedInState(parts: AuthParts, req: Request): AuthSessionState {
  checkPrerequisites(req);
  const state = req.session.synergyflow;
  if (!state || !req.isAuthenticated() || parts.logouts.has(req.sessionID)) {
    // Only a request that is not logged in can be the symptom of a wiring mistake.
    throw sessionSetupProblem(parts, req) ?? new LoginRequiredError('no_session');
  }
  return state;
}

function isCacheFresh(state: AuthSessionState, policy: ProfilePolicy, now: number): boolean {
  return state.profileLoadedAt !== undefined && now - state.profileLoadedAt < policy.ttlMs;
}

/**
 * The hot path: the profile is cached and the token is known usable, so nothing needs the token
 * store or the provider. Returns false when the request needs the full (asynchronous) path.
 */
function serveFromCache(parts: AuthParts, req: Request, state: AuthSessionState, policy: ProfilePolicy): boolean {
  const now = parts.config.clock();
  if (!isCacheFresh(state, policy, now) || !tokensKnownUsable(state, now)) return false;
  const profile = cachedProfile(req, parts.profiles);
  const login = storedLogin(req);
  if (!profile || !login || profile.id !== login.id) return false;
  if (log.enabled) log('profile served from cache');
  attach(parts, req, state, profile, login);
  return true;
}

async function ensureUser(
  parts: AuthParts,
  req: Request,
  state: AuthSessionState,
  policy: ProfilePolicy,
): Promise<void> {
  // Passport's deserializer (see synergy-flow.ts) has already guarded this session's save.
  const { tokens } = parts;
  const cached = cachedProfile(req, parts.profiles);
  const cacheFresh = isCacheFresh(state, policy, parts.config.clock());
  const deadline = tokens.deadline();
  await tokens.fresh(req, { deadline });
  const profile =
    cacheFresh && cached ? cached : await loadProfile(parts, req, deadline, policy.serveStale ? cached : undefined);
  const login = storedLogin(req);
  if (profile.id !== login?.id) {
    throw await tokens.forget(req, new LoginRequiredError('user_changed'));
  }
  attach(parts, req, state, profile, login);
}

/** Puts the profile (and, lazily, the access token) on the request. */
function attach(
  parts: AuthParts,
  req: Request,
  state: AuthSessionState,
  profile: SynergyFlowProfile,
  login: SerializedUser,
): void {
  // The app's own user (from `verify`) stays; only a profile user is brought up to date.
  if (login.user === undefined) req.user = profile as Express.User;
  req.synergyflow = new LazyRequestAuth(parts.tokens, req, state.profileLoadedAt, profile);
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
