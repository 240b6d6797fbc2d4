import { Router, type Request, type Response } from 'express';
import type { ProviderDescription } from '../provider/description.js';
import { synergyFlowProvider } from '../provider/synergyflow.js';
import type { EmulatedClient, EmulatorState } from './emulator-state.js';
import { clientCredentials, oauthError, readBody, tokenBodyParsers } from './token-endpoint.js';

/** The emulator's revocation endpoint's path (Laravel Passport has none; the emulator's is opt-in). */
export const REVOCATION_PATH = '/oauth/revoke';

/** What the revocation endpoint needs from the emulator. */
export interface RevocationEndpointParts {
  state: EmulatorState;
  client(clientID: string): EmulatedClient | undefined;
  /** Counts and records the call; true when a forced answer (`failNext('revoke', …)`) was sent. */
  before(res: Response, body: Record<string, string>, headers: Request['headers']): boolean;
}

/**
 * `POST /oauth/revoke`, as RFC 7009 describes it: the client authenticates as at the token
 * endpoint, `token` names an access or refresh token (`token_type_hint` is only a hint), and the
 * answer is 200 whether or not the token was valid. A revoked refresh token takes its access
 * token with it. Afterwards `/api/user` answers the access token 401 and `/oauth/token` answers
 * the refresh token `invalid_grant`.
 */
export function revocationRouter(parts: RevocationEndpointParts): Router {
  const router = Router();
  router.post(REVOCATION_PATH, ...tokenBodyParsers, (req, res) => {
    const body = readBody(req);
    if (parts.before(res, body, req.headers)) return;
    const credentials = clientCredentials(req, body);
    if (credentials === 'both') return oauthError(res, 400, 'invalid_request', 'Use one client authentication method');
    const client = credentials && parts.client(credentials.id);
    if (!client || !credentials || client.clientSecret !== credentials.secret) {
      return oauthError(res, 401, 'invalid_client', 'Client authentication failed');
    }
    if (!body.token) return oauthError(res, 400, 'invalid_request', 'Check the `token` parameter');
    parts.state.revokeToken(body.token, client.clientID);
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).end();
  });
  return router;
}

/**
 * SynergyFlow Pro's description with the emulator's revocation endpoint: for tests of logout's
 * revocation against an emulator started with `revocation: true`. SynergyFlow Pro itself
 * documents no revocation endpoint.
 */
export const revocableSynergyFlowProvider: ProviderDescription = Object.freeze({
  ...synergyFlowProvider,
  revocationPath: REVOCATION_PATH,
});
