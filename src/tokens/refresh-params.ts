/** Second-factor answers for the next key request (after a `TwoFactorRequiredError`). */
export interface TwoFactorAnswer {
  /** One of the phone numbers the error listed: the provider sends a PIN there. */
  phoneNumber?: string;
  /** The PIN the user received. */
  validationPin?: string;
}

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
    ...(twoFactor.phoneNumber ? { phone_number: twoFactor.phoneNumber } : {}),
    ...(twoFactor.validationPin ? { validation_pin: twoFactor.validationPin } : {}),
  };
}
