import { Router, type NextFunction, type Request, type Response } from 'express';
import { TemporarilyUnavailableError } from '../errors.js';
import type { AuthParts } from '../parts.js';
import { forgeryRefusal } from '../protect/anti-forgery.js';
import { resolveAntiForgery, type AntiForgeryRouteOptions } from '../protect/anti-forgery-setting.js';
import { passError } from '../protect/error-handler.js';
import { isProfile, type SynergyFlowProfile } from '../provider/profile.js';
import { needsRefresh, refreshTokenDead, type TokenSet } from '../tokens/token-set.js';
import { noStore } from '../util/no-store.js';
import { lifetimeEnded } from './lifetimes.js';
import { cachedProfile, loggedInSubject, tokenFootprint } from './session-state.js';

/**
 * How usable the login is, judged from the stored tokens alone (no provider call):
 * - `ok`: the access token serves the next API call as it is;
 * - `refresh_due`: the next API call refreshes it first (the refresh token is alive);
 * - `refresh_refused`: the provider refused the tokens (a refresh or the API); log in again;
 * - `login_required`: no login, no tokens, or nothing left to refresh with; log in again.
 */
export type SessionHealth = 'ok' | 'refresh_due' | 'refresh_refused' | 'login_required';

/** What `GET /session` answers (never a token). Times are ISO 8601; `null` when unknown. */
export interface SessionAnswer {
  /** True only when the next API call can succeed without a new login. */
  loggedIn: boolean;
  health: SessionHealth;
  /** The app's own user (from `verify`, or the `user` option), else the profile. */
  user?: unknown;
  /** The provider's profile as last loaded, without its raw answer. */
  profile?: Omit<SynergyFlowProfile, 'raw'> | null;
  /** When the access token expires. */
  accessTokenExpiresAt?: string | null;
  /** When the login ends: the refresh token's expiry, or the access token's when it cannot be renewed. */
  loginExpiresAt?: string | null;
}

/** Options of `auth.sessionRouter()`. */
export interface SessionRouterOptions extends AntiForgeryRouteOptions {
  /** The route's path inside the router. Default `/session`. */
  path?: string;
  /** What the answer shows as `user` (default: the app's user from `verify`, else the profile). */
  user?(req: Request): unknown;
}

/** What the session says of the login. Every read of session state is here, and only here. */
interface SessionView {
  /** The user the login restores (`req.user`), or `undefined` without a usable login. */
  login: { readonly user: unknown } | undefined;
  profile: SynergyFlowProfile | undefined;
  /** The login's tokens were forgotten: the provider refused them (or they are gone). */
  refused: boolean;
}

function readSession(parts: AuthParts, req: Request): SessionView {
  if (!req.session || typeof req.isAuthenticated !== 'function') {
    throw new Error(
      'passport-synergyflow: sessionRouter() needs express-session and Passport: mount session(), passport.initialize() and passport.session() before it.',
    );
  }
  const sub = loggedInSubject(req);
  // The token path forgets refused tokens (and the profile) but keeps the login's subject, so a
  // login without a token footprint is one whose tokens the provider refused.
  const refused = sub !== undefined && tokenFootprint(req).read() === undefined;
  const usable = sub !== undefined && !refused && req.isAuthenticated() && !lifetimeEnded(req, parts.config);
  // A profile user is shown as the profile (without its raw answer); the app's own user as it is.
  const login = usable ? { user: isProfile(req.user, parts.config.provider.name) ? undefined : req.user } : undefined;
  const profile = login ? cachedProfile(req, parts.profiles) : undefined;
  return { login, profile, refused };
}

const iso = (at: number | undefined): string | null => (at === undefined ? null : new Date(at).toISOString());

/** The health of a stored token set at `now`, and when the login ends. */
export function tokenHealth(
  tokens: TokenSet,
  now: number,
  skewMs: number,
): { health: SessionHealth; endsAt: number | undefined } {
  const dead = refreshTokenDead(tokens, now);
  const valid = tokens.expiresAt === undefined || now < tokens.expiresAt;
  if (!valid)
    return dead
      ? { health: 'login_required', endsAt: undefined }
      : { health: 'refresh_due', endsAt: tokens.refreshExpiresAt };
  // Nothing to refresh with: the access token serves until it expires, and the login with it.
  if (dead) return { health: 'ok', endsAt: tokens.expiresAt };
  return { health: needsRefresh(tokens, now, skewMs) ? 'refresh_due' : 'ok', endsAt: tokens.refreshExpiresAt };
}

function publicProfile(profile: SynergyFlowProfile | undefined): Omit<SynergyFlowProfile, 'raw'> | null {
  if (!profile) return null;
  const { provider, id, name, email, emailVerified } = profile;
  return { provider, id, name, email, emailVerified };
}

async function describe(parts: AuthParts, req: Request, options: SessionRouterOptions): Promise<SessionAnswer> {
  const view = readSession(parts, req);
  if (!view.login) return { loggedIn: false, health: view.refused ? 'refresh_refused' : 'login_required' };
  let tokens: TokenSet | undefined;
  try {
    tokens = await parts.tokenStore.get(req);
  } catch {
    throw new TemporarilyUnavailableError('store_unavailable');
  }
  if (!tokens) return { loggedIn: false, health: view.refused ? 'refresh_refused' : 'login_required' };
  const { health, endsAt } = tokenHealth(tokens, parts.config.clock(), parts.config.refreshSkewMs);
  if (health === 'login_required') return { loggedIn: false, health };
  const profile = publicProfile(view.profile);
  const user = options.user ? options.user(req) : (view.login.user ?? profile);
  return {
    loggedIn: true,
    health,
    user,
    profile,
    accessTokenExpiresAt: iso(tokens.expiresAt),
    loginExpiresAt: iso(endsAt),
  };
}

/**
 * Router with `GET /session` for single-page apps: whether there is a login the next API call
 * can use, who is logged in and when the login ends, judged from the session and the token
 * store without calling the provider, and never with a token in the answer
 * (`Cache-Control: no-store`). It never says `loggedIn: true` when the next call is certain to
 * need a login (no tokens, tokens refused, nothing left to refresh an expired token with).
 */
export function createSessionRouter(parts: AuthParts, options: SessionRouterOptions = {}): Router {
  const path = options.path ?? '/session';
  if (typeof path !== 'string' || !/^\/(?![/\\])/.test(path)) {
    throw new TypeError('passport-synergyflow: sessionRouter() option "path" must be a path starting with one "/".');
  }
  if (options.user !== undefined && typeof options.user !== 'function') {
    throw new TypeError('passport-synergyflow: sessionRouter() option "user" must be a function.');
  }
  const antiForgery = resolveAntiForgery(options.antiForgery, 'sessionRouter antiForgery', parts.config.antiForgery);
  const router = Router();
  const handler = (req: Request, res: Response, next: NextFunction): void => {
    noStore(res);
    const refusal = forgeryRefusal(req, antiForgery);
    if (refusal) return passError(parts, handler, refusal, req, res, next);
    describe(parts, req, options).then(
      (answer) => void res.json(answer),
      (error: unknown) => passError(parts, handler, error, req, res, next),
    );
  };
  router.get(path, handler);
  return router;
}
