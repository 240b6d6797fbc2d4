import type { Request } from 'express';
import type { Store } from 'express-session';
import { emit } from '../hooks.js';
import type { AuthParts } from '../parts.js';
import { endLoginsOf } from './login-index.js';
import { revokeAll } from './revoke-at-logout.js';
import { forgetLogin, loggedInSubject } from './session-state.js';

/**
 * `auth.logoutEverywhere(target)`: ends every login of the request's user (`target` a request:
 * "sign out of all devices", its own session included) or of the provider's user id `target`
 * (admin code). The sessions are found in the user's index and live in the request's session
 * store, or (for a user id) the store of the requests this instance has served. When the
 * provider describes a revocation endpoint, every ended login's tokens are revoked there too,
 * after the local end and as at logout: best effort, never failing it.
 */
export async function logoutEverywhere(
  parts: AuthParts,
  target: Request | string,
  servedStore: () => Store | undefined,
): Promise<number> {
  const started = Date.now();
  const byRequest = typeof target !== 'string';
  const sub = byRequest ? loggedInSubject(target) : target;
  if (typeof sub !== 'string' || sub === '') {
    if (byRequest) return 0;
    throw new TypeError('passport-synergyflow: logoutEverywhere() takes a request or a non-empty user id.');
  }
  const store = byRequest ? (target.sessionStore as Store | undefined) : servedStore();
  if (!store) {
    throw new TypeError(
      'passport-synergyflow: logoutEverywhere(userId) needs this instance to have served a request through passport.session() first (it finds the session store there); call it from a route, or pass the request.',
    );
  }
  const revoke = parts.config.revocationURL !== undefined;
  const { ended, tokenSets } = await endLoginsOf(parts, sub, store, revoke);
  if (byRequest) forgetLogin(target);
  emit(parts.config.hooks, 'onLogout', { outcome: 'everywhere', durationMs: Date.now() - started, userId: sub });
  await revokeAll(parts, tokenSets, sub);
  return ended;
}
