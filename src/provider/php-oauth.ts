import { ProviderError } from '../errors.js';
import { asRecord } from '../util/json.js';
import type { SynergyFlowProfile } from './profile.js';
import { defineProvider } from './define-provider.js';
import { oauthTokenRequest, type ClientCredentials, type Grant, type ProviderRequest } from './description.js';

function badProfile(detail: string): ProviderError {
  return new ProviderError('bad_response', `The userinfo answer is invalid: ${detail}.`);
}

/**
 * Maps `GET /api/userinfo.php` (`{ username, email, full_name }`) to the normalised profile. The
 * API has no numeric id, so the username is the id.
 */
export function parsePhpOAuthProfile(body: unknown): SynergyFlowProfile {
  const json = asRecord(body);
  if (!json) throw badProfile('it is not a JSON object');
  const { username, email, full_name: fullName } = json;
  if (typeof username !== 'string' || username === '') throw badProfile('"username" must be a non-empty string');
  if (email !== undefined && email !== null && typeof email !== 'string') throw badProfile('"email" must be a string');
  if (fullName !== undefined && fullName !== null && typeof fullName !== 'string')
    throw badProfile('"full_name" must be a string');
  return {
    provider: 'php-oauth',
    id: username,
    name: typeof fullName === 'string' && fullName !== '' ? fullName : username,
    email: typeof email === 'string' ? email : null,
    emailVerified: false,
    raw: { ...json },
  };
}

/**
 * The code exchange of `POST /api/token.php`: form-encoded `code`, `client_id` and
 * `client_secret`, plus the standard `grant_type`, `redirect_uri` and PKCE verifier, which such
 * servers ignore when they do not use them. There is no refresh grant.
 */
function phpTokenRequest(grant: Grant, credentials: ClientCredentials, tokenURL: string): ProviderRequest {
  if (grant.type !== 'authorization_code') {
    throw new TypeError('passport-synergyflow: the php-oauth provider issues no refresh tokens.');
  }
  return oauthTokenRequest(grant, credentials, tokenURL);
}

/**
 * A PHP-style OAuth 2.0 API: `/api/authorize.php`, `/api/token.php`,
 * `/api/userinfo.php`; one-hour access tokens and no refresh token, so an expired token means
 * "log in again" (browsers are redirected, API clients get 401). Errors are
 * `{ error, error_description }` (`invalid_code` for a bad code, `invalid_token` for a bad token).
 *
 * @example synergyFlow({ provider: phpOAuthProvider, baseURL: 'https://example.com', clientID, clientSecret, callbackURL })
 */
export const phpOAuthProvider = defineProvider({
  name: 'php-oauth',
  baseURL: 'https://example.com',
  authorizationPath: '/api/authorize.php',
  tokenPath: '/api/token.php',
  userPath: '/api/userinfo.php',
  tokenRequest: phpTokenRequest,
  parseProfile: parsePhpOAuthProfile,
});
