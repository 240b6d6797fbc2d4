// SynapseFi's second factor: a device it does not know must name a phone number, then the PIN
// sent there, on its next key request. Only this dialect asks; the answer travels as refresh
// parameters under SynapseFi's names.

/** Second-factor answers for the next key request (after a `TwoFactorRequiredError`). */
export interface TwoFactorAnswer {
  /** One of the phone numbers the error listed: the provider sends a PIN there. */
  phoneNumber?: string;
  /** The PIN the user received. */
  validationPin?: string;
}

/** The refresh parameters that carry `answer` (SynapseFi's `phone_number` and `validation_pin`). */
export function twoFactorParams(answer: TwoFactorAnswer): Record<string, string> {
  return {
    ...(answer.phoneNumber ? { phone_number: answer.phoneNumber } : {}),
    ...(answer.validationPin ? { validation_pin: answer.validationPin } : {}),
  };
}
