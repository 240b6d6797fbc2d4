import { ProviderError } from '../errors.js';
import { asRecord } from '../util/json.js';
import { defineProvider } from './define-provider.js';
import type { SynergyFlowProfile } from './profile.js';

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

const THIRTY_DAYS_MS = 30 * 24 * 60 * 60 * 1000;

/** SynergyFlow Pro (`https://testapp2.glances.com`, Laravel Passport). The zero-configuration default. */
export const synergyFlowProvider = defineProvider({
  name: 'synergyflow',
  baseURL: 'https://testapp2.glances.com',
  authorizationPath: '/oauth/authorize',
  tokenPath: '/oauth/token',
  userPath: '/api/user',
  defaultScope: Object.freeze(['user:read']),
  lifetimes: Object.freeze({ refreshTokenTtlMs: THIRTY_DAYS_MS }),
  parseProfile: parseSynergyFlowProfile,
});
