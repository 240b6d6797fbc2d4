import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthParts } from '../parts.js';
import { passError } from './error-handler.js';
import type { TwoFactorAnswer } from '../synapsefi/two-factor.js';
import { LazyRequestAuth, type AccessToken } from '../tokens/request-auth.js';

export type { TwoFactorAnswer } from '../synapsefi/two-factor.js';

/**
 * Returns a usable access token (SynapseFi: OAuth key) for the request through the one token
 * path: refreshed first when due, one refresh for all concurrent requests, the rotated refresh
 * token stored, uses left counted. A 2FA challenge is a `TwoFactorRequiredError`; call again
 * with `twoFactor` to answer it.
 */
export function accessTokenFor(parts: AuthParts, req: Request, twoFactor?: TwoFactorAnswer): Promise<AccessToken> {
  return parts.tokens.accessToken(req, twoFactor);
}

/**
 * Middleware for providers without a browser login: guarantees a usable access token in
 * `req.synergyflow` (no profile, no Passport needed) or passes a typed error to `next`.
 */
export function createRequireToken(parts: AuthParts): RequestHandler {
  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Cache-Control', 'no-store');
    accessTokenFor(parts, req).then(
      (token) => {
        req.synergyflow = new LazyRequestAuth({ accessToken: () => Promise.resolve(token) }, req);
        next();
      },
      (error: unknown) => passError(parts, middleware, error, req, res, next),
    );
  };
  return middleware;
}
