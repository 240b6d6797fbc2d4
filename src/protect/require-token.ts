import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthContext } from '../parts.js';
import { isUnauthorizedError, LoginRequiredError } from '../errors.js';
import { logger } from '../hooks.js';
import { SYNAPSEFI_CONTEXT } from '../provider/synapsefi.js';
import { refreshed } from '../tokens/fresh-token.js';
import { toRequestAuth, type RequestAuth } from '../tokens/request-auth.js';
import { needsRefresh, type TokenSet } from '../tokens/token-set.js';

const log = logger('token');

/** A user whose refresh token the platform holds (SynapseFi: from creating or fetching the user). */
export interface AttachedUser {
  /** The provider's user id. */
  userId: string;
  /** The user's current refresh token. */
  refreshToken: string;
  /** The device fingerprint sent in `X-SP-USER`. */
  fingerprint: string;
  /** The end user's IP address, sent in `X-SP-USER-IP`. Default `127.0.0.1`. */
  userIp?: string;
}

/** Second-factor answers for the next key request (after a `TwoFactorRequiredError`). */
export interface TwoFactorAnswer {
  /** One of the phone numbers the error listed: the provider sends a PIN there. */
  phoneNumber?: string;
  /** The PIN the user received. */
  validationPin?: string;
}

/**
 * Stores a user's refresh token for the request's session (or whatever token store is set), for
 * providers without a browser login. The first `accessToken()` trades it for a key.
 */
export async function attachUser(context: AuthContext, req: Request, user: AttachedUser): Promise<void> {
  for (const field of ['userId', 'refreshToken', 'fingerprint'] as const) {
    if (typeof user?.[field] !== 'string' || user[field] === '') {
      throw new TypeError(`passport-synergyflow: attachUser needs "${field}" as a non-empty string.`);
    }
  }
  const now = Date.now();
  await context.tokenStore.set(
    req,
    {
      accessToken: '',
      refreshToken: user.refreshToken,
      expiresAt: now,
      obtainedAt: now,
      context: {
        [SYNAPSEFI_CONTEXT.userId]: user.userId,
        [SYNAPSEFI_CONTEXT.fingerprint]: user.fingerprint,
        [SYNAPSEFI_CONTEXT.userIp]: user.userIp ?? '127.0.0.1',
      },
      version: 1,
    },
    undefined,
  );
}

/** The request's token set, refreshed first when its access token is due (or not issued yet). */
async function freshTokens(context: AuthContext, req: Request, twoFactor: TwoFactorAnswer = {}): Promise<TokenSet> {
  const tokens = await context.tokenStore.get(req);
  if (!tokens) throw new LoginRequiredError('no_tokens');
  if (tokens.accessToken !== '' && !needsRefresh(tokens, Date.now(), context.config.refreshSkewMs)) return tokens;
  const params = {
    // Providers whose key request names scopes (SynapseFi) get the configured ones.
    ...(context.config.scope.length > 0 ? { scope: context.config.scope.join(' ') } : {}),
    ...(twoFactor.phoneNumber ? { phone_number: twoFactor.phoneNumber } : {}),
    ...(twoFactor.validationPin ? { validation_pin: twoFactor.validationPin } : {}),
  };
  const next = await refreshed(context, req, tokens, params);
  if (next.refreshUsesLeft !== undefined && next.refreshUsesLeft <= 2) {
    log('the refresh token has %d uses left', next.refreshUsesLeft);
  }
  return next;
}

/**
 * Returns a non-expired access token (SynapseFi: OAuth key) for the request, refreshing it first
 * when it is within the skew of expiry: one refresh for all concurrent requests, the rotated
 * refresh token stored, uses left counted. A 2FA challenge is a `TwoFactorRequiredError`; call
 * again with `twoFactor` to answer it.
 */
export async function accessTokenFor(
  context: AuthContext,
  req: Request,
  twoFactor: TwoFactorAnswer = {},
): Promise<RequestAuth> {
  return toRequestAuth(await freshTokens(context, req, twoFactor));
}

/**
 * Middleware for providers without a browser login: guarantees a fresh access token in
 * `req.synergyflow` (no profile, no Passport needed) or passes a typed error to `next`.
 */
export function createRequireToken(context: AuthContext): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    accessTokenFor(context, req).then((auth) => {
      req.synergyflow = auth;
      next();
    }, next);
  };
}

/**
 * Calls a GET endpoint of the provider's API with the request's token and returns its JSON: a
 * fresh token first, one refresh and one retry on a 401, typed errors otherwise. `path` must be a
 * path on the provider (a token is never sent anywhere else).
 */
export async function apiGet(context: AuthContext, req: Request, path: string): Promise<unknown> {
  const base = new URL(context.config.baseURL);
  const url = new URL(context.config.baseURL + path);
  if (!path.startsWith('/') || path.startsWith('//') || url.origin !== base.origin) {
    throw new TypeError('passport-synergyflow: apiGet takes a path on the provider, such as "/api/user".');
  }
  const tokens = await freshTokens(context, req);
  try {
    return await context.client.getJSON(tokens, url.toString());
  } catch (error) {
    if (!isUnauthorizedError(error)) throw error;
    log('API call answered 401: refreshing once and retrying once');
    return context.client.getJSON(await refreshed(context, req, tokens), url.toString());
  }
}
