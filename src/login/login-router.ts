import { Router, type NextFunction, type Request, type Response } from 'express';
import type { AuthParts } from '../parts.js';
import { noStore } from '../util/no-store.js';
import { logger } from '../log.js';
import { safeReturnTo } from './return-to.js';
import { loginSetupProblem } from './setup-checks.js';

const log = logger('login');

/**
 * A session created only to carry a login attempt lives no longer than the attempt, so that a
 * flood of abandoned logins does not fill the session store. Sessions holding anything else
 * (the app's data, a previous login) keep the app's cookie settings.
 */
function shortenAnonymousSession(req: Request, ttlMs: number): void {
  const session = req.session;
  if (!session || req.isAuthenticated?.()) return;
  const own = Object.keys(session).filter((key) => key !== 'cookie' && key !== 'synergyflow');
  // A minute of grace lets a late callback still be told "expired" rather than "unknown".
  const lifetime = ttlMs + 60_000;
  const current = session.cookie.maxAge;
  if (own.length === 0 && (current === null || current === undefined || current > lifetime)) {
    session.cookie.maxAge = lifetime;
  }
}

/**
 * `GET /login`: starts a login with fresh state and PKCE S256 and redirects to the provider.
 * `?returnTo=/path` is kept server-side with this login (only same-origin paths; anything else
 * is ignored), so each tab lands where it started.
 */
export function createLoginRouter(parts: AuthParts): Router {
  const router = Router();
  router.get(parts.config.routes.login, (req: Request, res: Response, next: NextFunction) => {
    noStore(res);
    const setup = loginSetupProblem(parts, req);
    if (setup) return next(setup);
    shortenAnonymousSession(req, parts.config.loginTimeoutMs);
    const raw = req.query.returnTo;
    const returnTo = safeReturnTo(raw);
    if (raw !== undefined && returnTo === undefined) log('ignored an unsafe returnTo');
    try {
      // passport-oauth2 hands an object `state` to the state store (the types only know strings).
      const options = { state: { returnTo } } as unknown as { state: string };
      parts.passport().authenticate('synergyflow', options)(req, res, next);
    } catch (error) {
      next(error);
    }
  });
  return router;
}
