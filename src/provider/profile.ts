import { ProviderError } from '../errors.js';
import { asRecord } from './http.js';

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

function badProfile(detail: string): ProviderError {
  return new ProviderError('bad_response', `The profile answer is invalid: ${detail}.`);
}

function optionalString(json: Record<string, unknown>, key: string): string | null {
  const value = json[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw badProfile(`"${key}" must be a string or null`);
  return value;
}

/**
 * Maps SynergyFlow Pro's `GET /api/user` answer: `id` must be a positive integer, `name` a
 * string, `email` and `email_verified_at` strings or null.
 */
export function parseSynergyFlowProfile(body: unknown): SynergyFlowProfile {
  const json = asRecord(body);
  if (!json) throw badProfile('it is not a JSON object');
  const { id, name } = json;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    throw badProfile('"id" must be a non-negative integer');
  }
  if (typeof name !== 'string') throw badProfile('"name" must be a string');
  const emailVerifiedAt = optionalString(json, 'email_verified_at');
  return {
    provider: 'synergyflow',
    id: String(id),
    name,
    email: optionalString(json, 'email'),
    emailVerified: emailVerifiedAt !== null,
    raw: { ...json },
  };
}
