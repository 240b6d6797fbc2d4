import type { Request } from 'express';
import { LoginRequiredError } from '../errors.js';
import { isLoginRequiredError, isUnauthorizedError } from '../error-guards.js';
import { logger } from '../log.js';
import type { AuthParts } from '../parts.js';
import { loadProfile } from '../protect/require-user.js';
import type { SynergyFlowProfile } from '../provider/profile.js';

const log = logger('session');

/**
 * The profile of a login whose cached answer cannot be read any more (a damaged store entry, or
 * a `parseProfile` that now refuses what an earlier version accepted), loaded again from the
 * provider with the login's tokens: a login whose tokens still work is not ended for that.
 * Resolves `false` when the login has ended (its tokens are refused or gone, or they now belong
 * to another user); rejects with the typed error of a passing failure (provider down, rate
 * limit), which keeps the login for the next request.
 */
export async function reloadProfile(parts: AuthParts, req: Request, id: string): Promise<SynergyFlowProfile | false> {
  log('the cached profile is unreadable: loading it again');
  let profile: SynergyFlowProfile;
  try {
    profile = await loadProfile(parts, req, parts.tokens.deadline(), undefined);
  } catch (error) {
    // The token path has already forgotten the tokens it found refused or missing.
    if (isLoginRequiredError(error) || isUnauthorizedError(error)) return false;
    throw error;
  }
  if (profile.id === id) return profile;
  await parts.tokens.forget(req, new LoginRequiredError('user_changed'));
  return false;
}
