import type { Request } from 'express';
import type { AuthParts } from '../parts.js';
import { regenerateSession } from '../session/regenerate.js';
import { SYNAPSEFI_FIELDS } from './provider.js';

/** A user whose refresh token the platform holds (SynapseFi: from creating or fetching the user). */
export interface AttachedUser {
  /** The provider's user id. */
  userId: string;
  /** The user's current refresh token. */
  refreshToken: string;
  /** The device fingerprint sent in `X-SP-USER`. */
  fingerprint: string;
  /** The end user's IP address, sent in `X-SP-USER-IP`. Default `127.0.0.1`. */
  userIp?: string;
}

/**
 * Stores a user's refresh token for the request's session (or whatever token store is set), for
 * providers without a browser login. The first `accessToken()` trades it for a key. Like a login,
 * it gives the session a new id (keeping the app's own session data), so that a session id
 * planted in the browser beforehand never receives the user's credentials; a previous user's
 * token set is removed.
 */
export async function attachUser(parts: AuthParts, req: Request, user: AttachedUser): Promise<void> {
  for (const field of ['userId', 'refreshToken', 'fingerprint'] as const) {
    if (typeof user?.[field] !== 'string' || user[field] === '') {
      throw new TypeError(`passport-synergyflow: attachUser needs "${field}" as a non-empty string.`);
    }
  }
  await parts.tokenStore.clear(req);
  await regenerateSession(req);
  const now = parts.config.clock();
  // No key yet: the set is stored expired (expiresAt = obtainedAt), so its first use refreshes it
  // by the ordinary rule, and no code tells an attached set apart.
  await parts.tokenStore.set(
    req,
    {
      accessToken: '',
      refreshToken: user.refreshToken,
      expiresAt: now,
      obtainedAt: now,
      providerData: {
        [SYNAPSEFI_FIELDS.userId]: user.userId,
        [SYNAPSEFI_FIELDS.fingerprint]: user.fingerprint,
        [SYNAPSEFI_FIELDS.userIp]: user.userIp ?? '127.0.0.1',
      },
      version: 1,
    },
    undefined,
  );
}
