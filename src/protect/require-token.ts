import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthParts } from '../parts.js';
import { passError } from './error-handler.js';
import { LazyRequestAuth } from '../tokens/request-auth.js';

/**
 * Middleware for providers without a browser login: guarantees a usable access token in
 * `req.synergyflow` (no profile, no Passport needed) or passes a typed error to `next`.
 */
export function createRequireToken(parts: AuthParts): RequestHandler {
  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Cache-Control', 'no-store');
    parts.tokens.accessToken(req).then(
      (token) => {
        req.synergyflow = new LazyRequestAuth({ accessToken: () => Promise.resolve(token) }, req);
        next();
      },
      (error: unknown) => passError(parts, middleware, error, req, res, next),
    );
  };
  return middleware;
}
