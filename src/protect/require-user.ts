import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthContext } from '../parts.js';
import { isRateLimitError, isUnauthorizedError, LoginRequiredError, UnauthorizedError } from '../errors.js';
import { logger } from '../hooks.js';
import type { SynergyFlowProfile } from '../provider/profile.js';
import { refreshed, signOut } from '../tokens/fresh-token.js';
import { toRequestAuth, type RequestAuth } from '../tokens/request-auth.js';
import { guardSessionSave } from '../session/session-guard.js';
import { authState, peekAuthState } from '../session/session-state.js';
import { needsRefresh, type TokenSet } from '../tokens/token-set.js';

const log = logger('require-user');

/** Options of `requireUser()`, overriding the instance's for one route. */
export interface RequireUserOptions {
  /** How long a loaded profile is reused on this route, in seconds; 0 always loads it. */
  profileTtlSeconds?: number;
  /**
   * While the provider rate-limits the token, serve the last loaded profile instead of failing
   * with `RateLimitError`. Default true; set false on routes that must show live data.
   */
  serveStaleOnRateLimit?: boolean;
}

declare global {
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends SynergyFlowProfile {}
    interface Request {
      /** Set by `requireUser()`: the user's current access token, for the provider's API. */
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

/**
 * Builds the middleware that guarantees, when the handler runs, that `req.user` holds the
 * provider's profile and the session a non-expired access token (`req.synergyflow`). It refreshes
 * an expiring token first (one refresh per expiry, however many requests wait), reuses the
 * profile for its TTL, refreshes and retries once on a 401, serves the cached profile while the
 * provider rate-limits, and passes every failure to `next` as a typed error.
 */
export function createRequireUser(context: AuthContext, options: RequireUserOptions = {}): RequestHandler {
  const ttlMs =
    options.profileTtlSeconds === undefined ? context.config.profileTtlMs : options.profileTtlSeconds * 1000;
  if (!Number.isFinite(ttlMs) || ttlMs < 0) {
    throw new TypeError('passport-synergyflow: requireUser option "profileTtlSeconds" must be a number >= 0.');
  }
  const policy: ProfilePolicy = { ttlMs, serveStale: options.serveStaleOnRateLimit ?? true };
  return (req: Request, res: Response, next: NextFunction) => {
    // The answer carries the user's data: no shared cache may keep it (the handler may relax it).
    res.setHeader('Cache-Control', 'no-store');
    ensureUser(context, req, policy).then(
      () => next(),
      (error: unknown) => {
        const code = (error as { code?: unknown }).code;
        const reason = (error as { reason?: unknown }).reason;
        log(
          'refused %s %s: %s%s',
          req.method,
          req.path,
          typeof code === 'string' ? code : 'error',
          typeof reason === 'string' ? ` (${reason})` : '',
        );
        next(error);
      },
    );
  };
}

interface ProfilePolicy {
  ttlMs: number;
  serveStale: boolean;
}

async function ensureUser(context: AuthContext, req: Request, policy: ProfilePolicy): Promise<void> {
  checkPrerequisites(req);
  const state = peekAuthState(req);
  if (!req.isAuthenticated() || !state || context.logouts.has(req.sessionID)) {
    throw new LoginRequiredError('no_session');
  }
  guardSessionSave(req, context.logouts);
  let tokens = await context.tokenStore.get(req);
  if (!tokens) throw await signOut(context, req, new LoginRequiredError('no_tokens'));
  if (needsRefresh(tokens, Date.now(), context.config.refreshSkewMs)) {
    tokens = await refreshed(context, req, tokens);
  }
  const cached = state.profile;
  const fresh = cached && state.profileLoadedAt !== undefined && Date.now() - state.profileLoadedAt < policy.ttlMs;
  let profile: SynergyFlowProfile;
  if (cached && fresh) {
    log('profile served from cache');
    profile = cached;
  } else {
    ({ profile, tokens } = await loadProfile(context, req, tokens, policy.serveStale ? cached : undefined));
  }
  if (profile.id !== req.user?.id) {
    throw await signOut(context, req, new LoginRequiredError('user_changed'));
  }
  req.user = profile;
  req.synergyflow = toRequestAuth(tokens, state.profileLoadedAt);
}

async function loadProfile(
  context: AuthContext,
  req: Request,
  tokens: TokenSet,
  cached: SynergyFlowProfile | undefined,
): Promise<{ profile: SynergyFlowProfile; tokens: TokenSet }> {
  try {
    return { profile: await storeProfile(context, req, tokens), tokens };
  } catch (error) {
    if (isRateLimitError(error) && cached) {
      log('rate-limited for %d s: serving the cached profile', error.retryAfter);
      return { profile: cached, tokens };
    }
    if (!isUnauthorizedError(error)) throw error;
  }
  log('profile call answered 401: refreshing once and retrying once');
  const renewed = await refreshed(context, req, tokens);
  try {
    return { profile: await storeProfile(context, req, renewed), tokens: renewed };
  } catch (error) {
    if (isUnauthorizedError(error)) throw await signOut(context, req, new UnauthorizedError());
    throw error;
  }
}

async function storeProfile(context: AuthContext, req: Request, tokens: TokenSet): Promise<SynergyFlowProfile> {
  const profile = await context.client.getUser(tokens);
  const state = authState(req);
  state.profile = profile;
  state.profileLoadedAt = Date.now();
  log('profile loaded from the provider');
  return profile;
}
