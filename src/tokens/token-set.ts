import { ProviderError } from '../errors.js';
import { asRecord } from '../util/json.js';

/**
 * A user's tokens as stored. Times are absolute (milliseconds since the epoch), never relative
 * `expires_in`, so a token set read back later still means the same thing.
 */
export interface TokenSet {
  /** The access token sent to the provider's API. */
  readonly accessToken: string;
  /** The refresh token, when the provider issued one. */
  readonly refreshToken?: string | undefined;
  /** When the access token expires; `undefined` when the provider did not say. */
  readonly expiresAt?: number | undefined;
  /** When the refresh token expires; `undefined` when unknown or when there is none. */
  readonly refreshExpiresAt?: number | undefined;
  /** How many more refreshes the refresh token allows, for providers that count uses. */
  readonly refreshUsesLeft?: number | undefined;
  /** The scopes granted, when the provider said. */
  readonly scope?: readonly string[] | undefined;
  /** When these tokens were received. */
  readonly obtainedAt: number;
  /** Provider-specific values that belong with the tokens (SynapseFi: `user_id`, `fingerprint`). */
  readonly providerData?: Readonly<Record<string, string>> | undefined;
  /**
   * Grows by one at every write. Stores compare it to refuse a stale write (compare-and-swap),
   * and refresh coordination keys on it.
   */
  readonly version: number;
}

/** How long a provider's tokens live when its answers do not say. */
export interface TokenLifetimes {
  /** Refresh-token lifetime in milliseconds (SynergyFlow Pro: 30 days); 0 when unknown. */
  refreshTokenTtlMs: number;
}

/** The error for a token answer of the wrong shape. */
export function invalid(detail: string): ProviderError {
  return new ProviderError('bad_response', `The token endpoint's answer is invalid: ${detail}.`);
}

/**
 * Longest access-token lifetime believed: one year. A provider answering `expires_in: 1e306`
 * would otherwise push the expiry past what a number holds (stored as `null`: refresh on every
 * request); a token that really lives longer is refreshed after a year or on its first 401.
 */
export const MAX_EXPIRES_IN_SECONDS = 365 * 86_400;

/**
 * `expires_in` as seconds: a finite number >= 0, or a numeric string (RFC 6749 §5.1), capped at
 * {@link MAX_EXPIRES_IN_SECONDS}.
 */
export function readExpiresIn(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const seconds = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw invalid('"expires_in" must be a number of seconds >= 0');
  }
  return Math.min(seconds, MAX_EXPIRES_IN_SECONDS);
}

/** When a token answered at `now` with `expiresIn` expires; `undefined` for 0 or unknown. */
export function expiryFrom(now: number, expiresIn: number | undefined): number | undefined {
  // An expires_in of 0 says nothing usable; treating it as "unknown" lets a 401 trigger the
  // refresh instead of refreshing on every request.
  if (!expiresIn) return undefined;
  const at = now + expiresIn * 1000;
  if (!Number.isFinite(at)) throw invalid('"expires_in" gives no finite expiry');
  return at;
}

/** Longest token kept: tokens travel in a header, and a megabyte "token" is an attack. */
export const MAX_TOKEN_LENGTH = 8192;
// Visible ASCII only (RFC 6750's b64token is a subset): anything else breaks the Authorization
// header, and Node's fetch then throws an error whose message quotes the token.
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

/**
 * A token from a token answer (`access_token`, `refresh_token`, `oauth_key`): a string of
 * visible ASCII characters, at most {@link MAX_TOKEN_LENGTH} long; `undefined` when absent and
 * not `required`. The error never quotes the value.
 */
export function readToken(value: unknown, field: string, required: true): string;
export function readToken(value: unknown, field: string, required: false): string | undefined;
export function readToken(value: unknown, field: string, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_TOKEN_LENGTH ||
    !TOKEN_PATTERN.test(value)
  ) {
    throw invalid(
      `"${field}" must be a string of 1 to ${MAX_TOKEN_LENGTH} visible ASCII characters${required ? '' : ' when present'}`,
    );
  }
  return value;
}

/** `scope` as a list: a space-separated string or a list of strings (RFC 6749 §3.3). */
export function readScope(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return [...value];
  throw invalid('"scope" must be a string or a list of strings');
}

/**
 * Checks a standard OAuth 2.0 token answer (RFC 6749 §5.1) and turns it into a {@link TokenSet}.
 * Only known fields are kept. When a refresh answer carries no refresh token, the previous one
 * (and its expiry) is kept.
 */
export function tokenSetFromOAuthAnswer(
  body: unknown,
  now: number,
  lifetimes: TokenLifetimes,
  previous?: TokenSet,
): TokenSet {
  const json = asRecord(body);
  if (!json) throw invalid('it is not a JSON object');
  const accessToken = readToken(json.access_token, 'access_token', true);
  const tokenType = json.token_type;
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    throw invalid('"token_type" must be "Bearer"');
  }
  const refreshToken = readToken(json.refresh_token, 'refresh_token', false);
  const expiresIn = readExpiresIn(json.expires_in);
  const rotated = refreshToken !== undefined;
  const refreshTtl = lifetimes.refreshTokenTtlMs;
  return {
    accessToken,
    refreshToken: rotated ? refreshToken : previous?.refreshToken,
    expiresAt: expiryFrom(now, expiresIn),
    refreshExpiresAt: rotated ? (refreshTtl > 0 ? now + refreshTtl : undefined) : previous?.refreshExpiresAt,
    scope: readScope(json.scope) ?? previous?.scope,
    obtainedAt: now,
    providerData: previous?.providerData,
    version: (previous?.version ?? 0) + 1,
  };
}

/**
 * When to refresh: `skewMs` before expiry, but never earlier than half the token's lifetime, so a
 * provider issuing very short-lived tokens cannot cause a refresh on every request.
 */
export function refreshDueAt(tokens: TokenSet, skewMs: number): number | undefined {
  if (tokens.expiresAt === undefined) return undefined;
  const lifetime = tokens.expiresAt - tokens.obtainedAt;
  return tokens.obtainedAt + Math.max(lifetime - skewMs, lifetime / 2);
}

/** True when the access token is expired or inside the skew window before expiry. */
export function needsRefresh(tokens: TokenSet, now: number, skewMs: number): boolean {
  const due = refreshDueAt(tokens, skewMs);
  return due !== undefined && now >= due;
}

/** True when the refresh token is known to be dead (expired, or no uses left). */
export function refreshTokenDead(tokens: TokenSet, now: number): boolean {
  if (!tokens.refreshToken) return true;
  if (tokens.refreshUsesLeft !== undefined && tokens.refreshUsesLeft <= 0) return true;
  return tokens.refreshExpiresAt !== undefined && now >= tokens.refreshExpiresAt;
}
