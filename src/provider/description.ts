import type { SynergyFlowError } from '../errors.js';
import type { ProviderAnswer } from './http.js';
import type { SynergyFlowProfile } from './profile.js';
import type { ProviderCall } from './answer-to-error.js';
import type { TokenLifetimes, TokenSet } from '../tokens/token-set.js';

/** A grant sent to the token endpoint. */
export type Grant =
  | { type: 'authorization_code'; code: string; redirectUri: string; codeVerifier: string }
  | { type: 'refresh_token'; tokens: TokenSet; params?: Readonly<Record<string, string>> | undefined };

/** One token to revoke (RFC 7009), with the hint of its type. */
export interface Revocation {
  readonly token: string;
  readonly hint: 'refresh_token' | 'access_token';
}

/** The client's registration at the provider. */
export interface ClientCredentials {
  readonly clientID: string;
  readonly clientSecret: string;
}

/** One HTTP request, ready for `fetch`. */
export interface ProviderRequest {
  url: string;
  init: RequestInit;
}

/**
 * Everything that differs between OAuth providers, in one object: endpoints, how the client
 * authenticates, how tokens are sent and parsed, and how the profile is read. The strategy, the
 * client, refresh and `requireUser` all take a description instead of hard-coding a provider.
 * SynergyFlow Pro (`synergyFlowProvider`) is the default. Write a dialect with
 * `defineProvider()`, which fills in the standard OAuth 2.0 parts.
 */
export interface ProviderDescription {
  /** Short name, used as the profile's `provider` and in logs. */
  readonly name: string;
  /** Origin (and optional path prefix) every endpoint path is resolved against. */
  readonly baseURL: string;
  /** Where browsers are sent to log in; `undefined` for providers without a browser login. */
  readonly authorizationPath: string | undefined;
  /** The token endpoint's path. */
  readonly tokenPath: string;
  /** The profile endpoint's path; `undefined` when the provider has none. */
  readonly userPath: string | undefined;
  /**
   * The token revocation endpoint's path (RFC 7009); `undefined` or absent when the provider has
   * none (SynergyFlow Pro documents none). When set, logout revokes the login's tokens there.
   */
  readonly revocationPath?: string | undefined;
  /** Scopes asked for when the app names none. */
  readonly defaultScope: readonly string[];
  /**
   * Lifetimes the provider's token answers do not state, for the standard `parseTokenAnswer`
   * (`defineProvider()`'s); absent: unknown.
   */
  readonly lifetimes?: TokenLifetimes | undefined;
  /** Builds the token request for a grant. */
  tokenRequest(grant: Grant, credentials: ClientCredentials, tokenURL: string): ProviderRequest;
  /**
   * Builds a revocation request (RFC 7009); absent: {@link oauthRevocationRequest} (form-encoded,
   * client credentials in the body, as the token request sends them).
   */
  revocationRequest?(revocation: Revocation, credentials: ClientCredentials, revocationURL: string): ProviderRequest;
  /** Checks a token answer and turns it into a token set (keeping what a refresh omits). */
  parseTokenAnswer(body: unknown, now: number, previous?: TokenSet): TokenSet;
  /** Headers that carry the access token (and whatever else the provider wants) to the API. */
  authorizationHeaders(tokens: TokenSet, credentials: ClientCredentials): Record<string, string>;
  /**
   * Checks the profile answer and normalises it, keeping the whole answer in `raw`. The session
   * keeps only `raw` and makes the profile from it again with this function, so it must give the
   * same profile for the same answer: it runs once per process for each answer, and each request
   * gets a copy of the result (plain objects and arrays are copied; keep the profile plain data).
   */
  parseProfile(body: unknown): SynergyFlowProfile;
  /**
   * Recognises answers this provider gives that the standard mapping would misread (for example
   * a 2FA challenge sent as HTTP 202). Consulted first by the one answer-to-error mapping.
   */
  classifyAnswer?(answer: ProviderAnswer, call: ProviderCall): SynergyFlowError | undefined;
}

/**
 * Builds a standard RFC 6749 token request: form-encoded, client credentials in the body
 * (`client_secret_post`), as SynergyFlow Pro documents.
 */
export function oauthTokenRequest(grant: Grant, credentials: ClientCredentials, tokenURL: string): ProviderRequest {
  const params = new URLSearchParams({
    grant_type: grant.type,
    client_id: credentials.clientID,
    client_secret: credentials.clientSecret,
  });
  if (grant.type === 'authorization_code') {
    params.set('code', grant.code);
    params.set('redirect_uri', grant.redirectUri);
    params.set('code_verifier', grant.codeVerifier);
  } else {
    params.set('refresh_token', grant.tokens.refreshToken ?? '');
  }
  return {
    url: tokenURL,
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: params.toString(),
    },
  };
}

/**
 * Builds a standard RFC 7009 revocation request: `token` and `token_type_hint`, form-encoded,
 * client credentials in the body (`client_secret_post`), like {@link oauthTokenRequest}.
 */
export function oauthRevocationRequest(
  revocation: Revocation,
  credentials: ClientCredentials,
  revocationURL: string,
): ProviderRequest {
  const params = new URLSearchParams({
    token: revocation.token,
    token_type_hint: revocation.hint,
    client_id: credentials.clientID,
    client_secret: credentials.clientSecret,
  });
  return {
    url: revocationURL,
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: params.toString(),
    },
  };
}

/**
 * The profile a provider's answer describes, marked with the description's name (not the
 * parser's: a description spread from another, under a new name, keeps its own name).
 */
export function profileFrom(provider: ProviderDescription, answer: unknown): SynergyFlowProfile {
  const profile = provider.parseProfile(answer);
  return profile.provider === provider.name ? profile : { ...profile, provider: provider.name };
}
