import type { TokenSet } from './token-set.js';

/** What `requireUser()` and `requireToken()` give the route handler, for its own API calls. */
export interface RequestAuth {
  /** A non-expired access token for the provider's API. Never send it to the browser. */
  readonly accessToken: string;
  /** When the access token expires (milliseconds since the epoch), when known. */
  readonly expiresAt: number | undefined;
  /** Granted scopes, when the provider said. */
  readonly scope: readonly string[] | undefined;
  /** When `req.user` was loaded from the provider (milliseconds since the epoch). */
  readonly profileLoadedAt: number | undefined;
  /** How many more refreshes the refresh token allows, for providers that count (SynapseFi). */
  readonly refreshUsesLeft?: number | undefined;
}

/** The handler's view of a token set: the access token and its facts, never the refresh token. */
export function toRequestAuth(tokens: TokenSet, profileLoadedAt?: number): RequestAuth {
  return {
    accessToken: tokens.accessToken,
    expiresAt: tokens.expiresAt,
    scope: tokens.scope,
    profileLoadedAt,
    refreshUsesLeft: tokens.refreshUsesLeft,
  };
}
