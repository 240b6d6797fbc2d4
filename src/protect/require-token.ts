import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { logger } from '../log.js';
import type { AuthParts } from '../parts.js';
import { passError } from './error-handler.js';
import { LazyRequestAuth, toAccessToken, type AccessToken } from '../tokens/request-auth.js';
import { twoFactorParams, type TwoFactorAnswer } from '../synapsefi/two-factor.js';

const log = logger('token');

/**
 * Returns a usable access token (SynapseFi: OAuth key) for the request through the one token
 * path: refreshed first when due, one refresh for all concurrent requests, the rotated refresh
 * token stored, uses left counted. A 2FA challenge is a `TwoFactorRequiredError`; call again
 * with `twoFactor` to answer it.
 */
export async function accessTokenFor(
  parts: AuthParts,
  req: Request,
  twoFactor: TwoFactorAnswer = {},
): Promise<AccessToken> {
  const params = {
    // Providers whose key request names scopes (SynapseFi) get the configured ones.
    ...(parts.config.scope.length > 0 ? { scope: parts.config.scope.join(' ') } : {}),
    ...twoFactorParams(twoFactor),
  };
  const tokens = await parts.tokens.fresh(req, { params, deadline: parts.tokens.deadline() });
  if (tokens.refreshUsesLeft !== undefined && tokens.refreshUsesLeft <= 2) {
    log('the refresh token has %d uses left', tokens.refreshUsesLeft);
  }
  return toAccessToken(tokens);
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
