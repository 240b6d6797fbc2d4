import type { Request } from 'express';
import type { SynergyFlowProfile } from '../provider/profile.js';
import type { TokenSet } from './token-set.js';

/** An access token and its facts, as the app may use them; never the refresh token. */
export interface AccessToken {
  /** A usable access token for the provider's API. Never send it to the browser. */
  readonly accessToken: string;
  /** When the access token expires (milliseconds since the epoch), when known. */
  readonly expiresAt: number | undefined;
  /** Granted scopes, when the provider said. */
  readonly scope: readonly string[] | undefined;
  /** How many more refreshes the refresh token allows, for providers that count (SynapseFi). */
  readonly refreshUsesLeft?: number | undefined;
}

/**
 * What `requireUser()` and `requireToken()` put in `req.synergyflow`. The access token is read
 * from the token store only when the handler asks for it (`await req.synergyflow.token()`), so a
 * request that does not need it costs no token-store round trip.
 */
export interface RequestAuth {
  /** When `profile` was loaded from the provider (milliseconds since the epoch). */
  readonly profileLoadedAt: number | undefined;
  /**
   * The provider's profile of the user (set by `requireUser()`). `req.user` is the same profile,
   * or the app's own user when a `verify` function made one.
   */
  readonly profile?: SynergyFlowProfile | undefined;
  /** The access token, refreshed first when due; the same promise for repeated calls. */
  token(): Promise<AccessToken>;
}

/** The handler's view of a token set: the access token and its facts, never the refresh token. */
export function toAccessToken(tokens: TokenSet): AccessToken {
  return {
    accessToken: tokens.accessToken,
    expiresAt: tokens.expiresAt,
    scope: tokens.scope,
    refreshUsesLeft: tokens.refreshUsesLeft,
  };
}

/** Where {@link LazyRequestAuth} gets the request's access token from: the token path. */
export interface AccessTokenSource {
  /** The request's access token, refreshed first when due. */
  accessToken(req: Request): Promise<AccessToken>;
}

/**
 * `req.synergyflow`: the profile, and the access token read from `source` once, on the first
 * `token()` call. A class rather than closures: `requireUser()` builds one on every request.
 */
export class LazyRequestAuth implements RequestAuth {
  readonly profileLoadedAt: number | undefined;
  readonly profile: SynergyFlowProfile | undefined;
  readonly #source: AccessTokenSource;
  readonly #req: Request;
  #loaded: Promise<AccessToken> | undefined;

  constructor(source: AccessTokenSource, req: Request, profileLoadedAt?: number, profile?: SynergyFlowProfile) {
    this.profileLoadedAt = profileLoadedAt;
    this.profile = profile;
    this.#source = source;
    this.#req = req;
  }

  token(): Promise<AccessToken> {
    return (this.#loaded ??= this.#source.accessToken(this.#req));
  }
}
