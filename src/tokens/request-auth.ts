import type { SynergyFlowProfile } from '../provider/profile.js';
import type { TokenSet } from './token-set.js';

/** What `requireUser()` and `requireToken()` give the route handler, for its own API calls. */
export interface RequestAuth {
  /** A non-expired access token for the provider's API. Never send it to the browser. */
  readonly accessToken: string;
  /** When the access token expires (milliseconds since the epoch), when known. */
  readonly expiresAt: number | undefined;
  /** Granted scopes, when the provider said. */
  readonly scope: readonly string[] | undefined;
  /** When `profile` was loaded from the provider (milliseconds since the epoch). */
  readonly profileLoadedAt: number | undefined;
  /**
   * The provider's profile of the user (set by `requireUser()`). `req.user` is the same profile,
   * or the app's own user when a `verify` function made one.
   */
  readonly profile?: SynergyFlowProfile | undefined;
  /** How many more refreshes the refresh token allows, for providers that count (SynapseFi). */
  readonly refreshUsesLeft?: number | undefined;
}

/** The handler's view of a token set: the access token and its facts, never the refresh token. */
export function toRequestAuth(tokens: TokenSet, profileLoadedAt?: number, profile?: SynergyFlowProfile): RequestAuth {
  return {
    accessToken: tokens.accessToken,
    expiresAt: tokens.expiresAt,
    scope: tokens.scope,
    profileLoadedAt,
    profile,
    refreshUsesLeft: tokens.refreshUsesLeft,
  };
}
