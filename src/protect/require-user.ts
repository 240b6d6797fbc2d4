import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { LoginRequiredError } from '../errors.js';
import { isRateLimitError } from '../error-guards.js';
import { logger } from '../log.js';
import type { AuthParts } from '../parts.js';
import type { SynergyFlowProfile } from '../provider/profile.js';
import { sessionSetupProblem } from '../login/setup-checks.js';
import { passError } from './error-handler.js';
import { authState, peekAuthState, storedLogin } from '../session/session-state.js';
import { toAccessToken, toRequestAuth, type RequestAuth } from '../tokens/request-auth.js';

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
  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    // The answer carries the user's data: no shared cache may keep it (the handler may relax it).
    res.setHeader('Cache-Control', 'no-store');
    ensureUser(parts, req, policy).then(
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
        passError(parts, middleware, error, req, res, next);
      },
    );
  };
  return middleware;
}

async function ensureUser(parts: AuthParts, req: Request, policy: ProfilePolicy): Promise<void> {
  checkPrerequisites(req);
  const state = peekAuthState(req);
  if (!req.isAuthenticated() || !state || parts.logouts.has(req.sessionID)) {
    // Only a request that is not logged in can be the symptom of a wiring mistake.
    const setup = sessionSetupProblem(parts, req);
    if (setup) throw setup;
    throw new LoginRequiredError('no_session');
  }
  // Passport's deserializer (see synergy-flow.ts) has already guarded this session's save.
  const { tokens, config } = parts;
  const cached = state.profile;
  const cacheFresh =
    cached !== undefined &&
    state.profileLoadedAt !== undefined &&
    config.clock() - state.profileLoadedAt < policy.ttlMs;
  let profile: SynergyFlowProfile;
  if (cacheFresh && tokens.knownUsable(req)) {
    // The hot path: nothing needs the token, so the token store is not read at all.
    log('profile served from cache');
    profile = cached;
  } else {
    const deadline = tokens.deadline();
    await tokens.fresh(req, { deadline });
    profile = cacheFresh ? cached : await loadProfile(parts, req, deadline, policy.serveStale ? cached : undefined);
  }
  const login = storedLogin(req);
  if (profile.id !== login?.id) {
    throw await tokens.forget(req, new LoginRequiredError('user_changed'));
  }
  // The app's own user (from `verify`) stays; only a profile user is brought up to date.
  if (login.user === undefined) req.user = profile as Express.User;
  req.synergyflow = toRequestAuth(
    async () => toAccessToken(await tokens.fresh(req, { deadline: tokens.deadline() })),
    state.profileLoadedAt,
    profile,
  );
}

async function loadProfile(
  parts: AuthParts,
  req: Request,
  deadline: number,
  cached: SynergyFlowProfile | undefined,
): Promise<SynergyFlowProfile> {
  try {
    const { value } = await parts.tokens.call(req, (t) => parts.client.getUser(t), { deadline });
    const state = authState(req);
    state.profile = value;
    state.profileLoadedAt = parts.config.clock();
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
