/**
 * The user's profile, normalised the same way for every provider, with the provider's own answer
 * in `raw`. This is what `req.user` holds behind `requireUser()`.
 */
export interface SynergyFlowProfile {
  /** Which provider description produced this profile (`'synergyflow'` by default). */
  readonly provider: string;
  /** The provider's user id, as a string. */
  readonly id: string;
  /** Display name. */
  readonly name: string;
  /** E-mail address, when the provider shares it. */
  readonly email: string | null;
  /** True when the provider says the e-mail address is verified. */
  readonly emailVerified: boolean;
  /** The provider's answer as received (unknown fields included, prototype keys dropped). */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** True for a value shaped like a profile (an object with a string `id`) of the provider named `provider`. */
export function isProfile(value: unknown, provider: string): value is SynergyFlowProfile {
  const candidate = value as Partial<SynergyFlowProfile> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.id === 'string' &&
    candidate.provider === provider
  );
}
