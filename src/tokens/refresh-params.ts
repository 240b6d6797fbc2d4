import { twoFactorParams, type TwoFactorAnswer } from '../synapsefi/two-factor.js';

export type { TwoFactorAnswer } from '../synapsefi/two-factor.js';

/**
 * The parameters every refresh sends, whichever door asked for the token (`requireUser()`,
 * `requireToken()`, `req.synergyflow.token()`, `auth.accessToken()`, `auth.api()`, the API
 * proxy): the configured scopes (providers whose key request names them, such as SynapseFi; a
 * standard OAuth 2.0 refresh leaves them out), plus the second-factor answers when the app
 * passes them to `auth.accessToken(req, twoFactor)`. The provider description decides what of
 * it goes on the wire.
 */
export function refreshParams(scope: readonly string[], twoFactor: TwoFactorAnswer = {}): Record<string, string> {
  return {
    ...(scope.length > 0 ? { scope: scope.join(' ') } : {}),
    ...twoFactorParams(twoFactor),
  };
}
