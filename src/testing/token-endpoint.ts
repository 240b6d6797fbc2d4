import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { EmulatedClient, EmulatorState } from './emulator-state.js';

/** What the token endpoint needs from the emulator. */
export interface TokenEndpointParts {
  state: EmulatorState;
  client(clientID: string): EmulatedClient | undefined;
  /** Answer a revoked refresh token like older Laravel servers: 401 `invalid_request`. */
  legacyRefreshErrors(): boolean;
  /** Leave the refresh token out of refresh answers (no rotation). */
  rotateRefreshTokens(): boolean;
  /** State the granted scope in token answers (RFC 6749 §5.1; Laravel Passport does not). */
  announceScope?(): boolean;
  /** How long a rotated refresh token may be used once more, in milliseconds (0: never). */
  reuseGraceMs(): number;
  /**
   * Counts what tests assert on: a rotated refresh token presented again (`reuse`, and
   * `tolerated` when the grace window let it through), or tokens issued in an answer the client
   * had already hung up on (`undelivered`: a client that died mid-refresh).
   */
  note(event: 'reuse' | 'tolerated' | 'undelivered'): void;
  before(res: Response, grantType: string, body: Record<string, string>, headers: Request['headers']): boolean;
}

/** Laravel Passport's token error body. */
export function oauthError(res: Response, status: number, error: string, hint: string): void {
  const descriptions: Record<string, string> = {
    invalid_request:
      'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
    invalid_client: 'Client authentication failed',
    invalid_grant:
      'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
    unsupported_grant_type: 'The authorization grant type is not supported by the authorization server.',
  };
  const description = descriptions[error] ?? error;
  if (error === 'invalid_client') res.setHeader('WWW-Authenticate', 'Basic realm="OAuth"');
  res.status(status).json({ error, error_description: description, hint, message: description });
}

/** The request's form or JSON body, string values only. */
export function readBody(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  const body = (req.body ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(body)) if (typeof value === 'string') out[key] = value;
  return out;
}

/** Client credentials from the body or from HTTP Basic (RFC 6749 §2.3.1 encoding); never both. */
export function clientCredentials(
  req: Request,
  body: Record<string, string>,
): { id: string; secret: string } | 'both' | undefined {
  const header = req.get('authorization');
  const basic = header?.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : undefined;
  if (basic !== undefined && body.client_secret !== undefined) return 'both';
  if (basic !== undefined) {
    const colon = basic.indexOf(':');
    if (colon < 0) return undefined;
    try {
      const decode = (part: string): string => decodeURIComponent(part.replace(/\+/g, ' '));
      return { id: decode(basic.slice(0, colon)), secret: decode(basic.slice(colon + 1)) };
    } catch {
      return undefined;
    }
  }
  return body.client_id !== undefined && body.client_secret !== undefined
    ? { id: body.client_id, secret: body.client_secret }
    : undefined;
}

/** The token endpoint's body parsers (each skips a body already read). */
export const tokenBodyParsers: readonly RequestHandler[] = [
  express.urlencoded({ extended: false, limit: '64kb' }),
  express.json({ limit: '64kb' }),
];

/** `POST /oauth/token`: the authorization-code and refresh-token grants, as Laravel Passport runs them. */
export function tokenRouter(parts: TokenEndpointParts): Router {
  const router = Router();
  router.post('/oauth/token', ...tokenBodyParsers, (req, res) => {
    const body = readBody(req);
    const grantType = body.grant_type ?? '';
    if (parts.before(res, grantType, body, req.headers)) return;
    const credentials = clientCredentials(req, body);
    if (credentials === 'both') return oauthError(res, 400, 'invalid_request', 'Use one client authentication method');
    const client = credentials && parts.client(credentials.id);
    if (!client || !credentials || client.clientSecret !== credentials.secret) {
      return oauthError(res, 401, 'invalid_client', 'Client authentication failed');
    }
    const answer = (grant: { clientID: string; userId: number; scopes: string[] }, omitRefresh = false): string[] => {
      const issued = parts.state.issueTokens(grant);
      if (req.socket.destroyed || res.destroyed) parts.note('undelivered');
      res.setHeader('Cache-Control', 'no-store');
      res.json({
        token_type: 'Bearer',
        expires_in: issued.expiresIn,
        access_token: issued.accessToken,
        ...(omitRefresh ? {} : { refresh_token: issued.refreshToken }),
        ...(parts.announceScope?.() ? { scope: grant.scopes.join(' ') } : {}),
      });
      return [issued.accessToken, issued.refreshToken];
    };
    if (grantType === 'authorization_code') {
      if (!body.code) return oauthError(res, 400, 'invalid_request', 'Check the `code` parameter');
      const grant = parts.state.redeemCode(body.code, client.clientID, body.redirect_uri, body.code_verifier);
      if ('refused' in grant) return oauthError(res, 400, 'invalid_grant', grant.hint);
      parts.state.remember(grant.issuedBy, answer(grant));
      return;
    }
    if (grantType === 'refresh_token') {
      if (!body.refresh_token) return oauthError(res, 400, 'invalid_request', 'Check the `refresh_token` parameter');
      const grant = parts.state.rotate(body.refresh_token, client.clientID, parts.reuseGraceMs());
      if (grant.reused) parts.note('reuse');
      if (grant.reused && !('refused' in grant)) parts.note('tolerated');
      if ('refused' in grant) {
        return parts.legacyRefreshErrors()
          ? oauthError(res, 401, 'invalid_request', 'The refresh token is invalid.')
          : oauthError(res, 400, 'invalid_grant', grant.hint);
      }
      if (!parts.rotateRefreshTokens()) {
        // Keep the presented refresh token usable and hand out only a new access token.
        const stored = parts.state.refreshTokens.get(body.refresh_token);
        if (stored) {
          stored.revoked = false;
          delete stored.rotatedAt;
        }
        const [accessToken] = answer(grant, true);
        if (stored && accessToken) stored.accessToken = accessToken;
        return;
      }
      answer(grant);
      return;
    }
    oauthError(res, 400, 'unsupported_grant_type', 'Check that all required parameters have been provided');
  });
  return router;
}
