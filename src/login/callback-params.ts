import type { Request } from 'express';
import { LoginFailedError } from '../errors.js';
import { STATE_PATTERN } from './transactions.js';
import { queryOf } from '../util/http.js';

/** The callback's parameters, each present at most once and as a plain string. */
export interface CallbackParams {
  code?: string;
  state?: string;
  error?: string;
  iss?: string;
}

const NAMES = ['code', 'state', 'error', 'iss'] as const;
/** Codes are opaque, but a 4 kB code is an attack, not a code (RFC 6749 leaves the size open). */
const MAX_VALUE_LENGTH = 4096;

/**
 * Reads the callback query strictly, before Passport sees it: a parameter given twice, as an
 * array or as an object, or oversized, makes the whole callback invalid (never a 500).
 */
export function readCallbackParams(req: Request): CallbackParams {
  const query = queryOf(req);
  const params: CallbackParams = {};
  for (const name of NAMES) {
    const value = query[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length > MAX_VALUE_LENGTH) {
      throw new LoginFailedError('invalid_callback');
    }
    params[name] = value;
  }
  return params;
}

/** True when `state` can be one of ours; anything else is unknown without a lookup. */
export function plausibleState(state: string | undefined): state is string {
  return state !== undefined && STATE_PATTERN.test(state);
}
