import { Router, type NextFunction, type Request, type Response } from 'express';
import { noStore, type AuthContext } from './context.js';
import { logger } from './hooks.js';
import { safeReturnTo } from './return-to.js';

const log = logger('login');

/**
 * `GET /login`: starts a login with fresh state and PKCE S256 and redirects to the provider.
 * `?returnTo=/path` is kept server-side with this login (only same-origin paths; anything else
 * is ignored), so each tab lands where it started.
 */
export function createLoginRouter(context: AuthContext): Router {
  const router = Router();
  router.get(context.config.routes.login, (req: Request, res: Response, next: NextFunction) => {
    noStore(res);
    const raw = req.query.returnTo;
    const returnTo = safeReturnTo(raw);
    if (raw !== undefined && returnTo === undefined) log('ignored an unsafe returnTo');
    try {
      // passport-oauth2 hands an object `state` to the state store (the types only know strings).
      const options = { state: { returnTo } } as unknown as { state: string };
      context.passport().authenticate('synergyflow', options)(req, res, next);
    } catch (error) {
      next(error);
    }
  });
  return router;
}
