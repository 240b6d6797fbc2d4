/**
 * Typed errors. One class per failure kind, each with a stable `code`, the HTTP `status` the app
 * should answer with, and `headers` where they matter (`Retry-After`). Express's default handler
 * honours `status` and `headers`, and {@link errorHandler} negotiates HTML and JSON answers.
 *
 * Match on `code` (or use the `is*` guards), not `instanceof`: two copies of the package in one
 * process each have their own classes.
 */
import { ErrorCodes, SynergyFlowError } from './error-base.js';

export { BRAND, ErrorCodes, SynergyFlowError } from './error-base.js';
export type { ErrorCode } from './error-base.js';
export { LoginFailedError, LoginRequiredError } from './login-errors.js';
export type { LoginFailedReason, LoginRequiredReason } from './login-errors.js';
import type { LoginFailedError, LoginRequiredError } from './login-errors.js';

/** The provider refused the access token (HTTP 401) even after one refresh and one retry. */
export class UnauthorizedError extends SynergyFlowError {
  override name = 'UnauthorizedError';
  declare readonly code: typeof ErrorCodes.UNAUTHORIZED;
  constructor(message = 'The provider refused the access token. Log in again.') {
    super(ErrorCodes.UNAUTHORIZED, 401, message);
  }
}

/** The token lacks a scope the call needs (HTTP 403). No refresh and no logout follow. */
export class ForbiddenError extends SynergyFlowError {
  override name = 'ForbiddenError';
  declare readonly code: typeof ErrorCodes.FORBIDDEN;
  /** The scope the provider said is required, when it said so. */
  readonly scope: string | undefined;
  constructor(scope?: string) {
    super(
      ErrorCodes.FORBIDDEN,
      403,
      `The access token lacks a required scope${scope ? ` (${scope})` : ''}. Request it at login with the "scope" option.`,
    );
    this.scope = scope;
  }
}

/** The provider's rate limit is exhausted (HTTP 429). Carries `Retry-After`. */
export class RateLimitError extends SynergyFlowError {
  override name = 'RateLimitError';
  declare readonly code: typeof ErrorCodes.RATE_LIMITED;
  /** Seconds to wait before the next call, already capped. */
  readonly retryAfter: number;
  /** `X-RateLimit-Limit`, when the provider sent it. */
  readonly limit: number | undefined;
  /** `X-RateLimit-Remaining`, when the provider sent it. */
  readonly remaining: number | undefined;
  constructor(retryAfter: number, limit?: number, remaining?: number) {
    super(ErrorCodes.RATE_LIMITED, 429, `The provider's rate limit is exhausted. Retry in ${retryAfter} s.`, {
      headers: { 'Retry-After': String(retryAfter) },
    });
    this.retryAfter = retryAfter;
    this.limit = limit;
    this.remaining = remaining;
  }
}

/** What went wrong talking to the provider. */
export type ProviderErrorKind =
  | 'server_error'
  | 'unavailable'
  | 'timeout'
  | 'network'
  | 'bad_response'
  | 'too_large'
  | 'redirect'
  | 'invalid_client'
  | 'unexpected_status';

const PROVIDER_STATUS: Record<ProviderErrorKind, number> = {
  server_error: 502,
  unavailable: 503,
  timeout: 504,
  network: 503,
  bad_response: 502,
  too_large: 502,
  redirect: 502,
  invalid_client: 502,
  unexpected_status: 502,
};

/** The provider failed: 5xx, network error, timeout, redirect, or an answer of the wrong shape. */
export class ProviderError extends SynergyFlowError {
  override name = 'ProviderError';
  declare readonly code: typeof ErrorCodes.PROVIDER;
  /** What went wrong. */
  readonly kind: ProviderErrorKind;
  /** The provider's HTTP status, when it answered at all. */
  readonly providerStatus: number | undefined;
  /**
   * The provider's JSON answer to an API call the app made (`auth.api()`) that failed with a
   * 4xx such as 404 or 422, for the app to read. `errorHandler()` never sends it to clients.
   */
  readonly details: unknown;
  constructor(
    kind: ProviderErrorKind,
    message: string,
    options: { providerStatus?: number; retryAfter?: number; cause?: unknown; details?: unknown } = {},
  ) {
    super(ErrorCodes.PROVIDER, PROVIDER_STATUS[kind], message, {
      headers: options.retryAfter === undefined ? {} : { 'Retry-After': String(options.retryAfter) },
      cause: options.cause,
    });
    this.kind = kind;
    this.providerStatus = options.providerStatus;
    this.details = options.details;
  }
}

/**
 * Why a request was refused as possibly forged: a logout from an origin not in
 * `trustedOrigins`, or an API call without the anti-forgery header (see the `antiForgery` option).
 */
export type CrossSiteReason = 'untrusted_origin' | 'missing_anti_forgery_header';

const CROSS_SITE_TEXT: Record<CrossSiteReason, string> = {
  untrusted_origin: 'Refused a cross-site request. Send it from a form on this site (same Origin).',
  missing_anti_forgery_header:
    'Refused a request without the anti-forgery header. Send it with fetch() and the header the server names (X-CSRF: 1 by default).',
};

/** A request came from another site: a logout from an untrusted origin, or an API call without the anti-forgery header. */
export class CrossSiteRequestError extends SynergyFlowError {
  override name = 'CrossSiteRequestError';
  declare readonly code: typeof ErrorCodes.CROSS_SITE;
  /** What gave the request away. */
  readonly reason: CrossSiteReason;
  constructor(reason: CrossSiteReason = 'untrusted_origin') {
    super(ErrorCodes.CROSS_SITE, 403, CROSS_SITE_TEXT[reason]);
    this.reason = reason;
  }
}

/** The provider asks for a second factor (phone number or validation PIN) before issuing a key. */
export class TwoFactorRequiredError extends SynergyFlowError {
  override name = 'TwoFactorRequiredError';
  declare readonly code: typeof ErrorCodes.TWO_FACTOR_REQUIRED;
  /** What the provider wants next. */
  readonly step: 'phone_number' | 'validation_pin';
  /** Phone numbers the provider offered, when it listed them. */
  readonly phoneNumbers: readonly string[];
  constructor(step: 'phone_number' | 'validation_pin', phoneNumbers: readonly string[] = []) {
    super(
      ErrorCodes.TWO_FACTOR_REQUIRED,
      403,
      step === 'phone_number'
        ? 'Two-factor authentication: call again with a phone_number to receive a PIN.'
        : 'Two-factor authentication: call again with the validation_pin sent to the phone.',
    );
    this.step = step;
    this.phoneNumbers = phoneNumbers;
  }
}

/** Why a request could not get a token now, although nothing is wrong with the login. */
export type UnavailableReason =
  'refresh_in_progress' | 'login_in_progress' | 'store_unavailable' | 'shutting_down' | 'request_timeout';

const UNAVAILABLE_TEXT: Record<UnavailableReason, string> = {
  refresh_in_progress: 'Another instance is refreshing this login. Retry in a moment.',
  login_in_progress: 'Another instance is still finishing this login. Reload the page in a moment.',
  store_unavailable:
    'The session or token store (for example Redis) is unreachable. Retry in a moment; check the store.',
  shutting_down: 'This instance is shutting down. Retry; another instance will answer.',
  request_timeout:
    'The request ran out of its time budget (requestTimeoutSeconds) waiting for a token. Retry in a moment.',
};

/**
 * A token could not be had in time, for a passing reason: another instance holds the refresh
 * lock, the token store is down, the instance is closing, or the request's budget ran out. The
 * login is intact (HTTP 503 with `Retry-After`); retrying later succeeds.
 */
export class TemporarilyUnavailableError extends SynergyFlowError {
  override name = 'TemporarilyUnavailableError';
  declare readonly code: typeof ErrorCodes.UNAVAILABLE;
  /** Why no token could be had now. */
  readonly reason: UnavailableReason;
  /** Seconds after which a retry makes sense. */
  readonly retryAfter: number;
  /** @param options.cause what failed underneath (a store's error, stripped of its command and arguments). */
  constructor(reason: UnavailableReason, retryAfter = 1, options: { cause?: unknown } = {}) {
    super(ErrorCodes.UNAVAILABLE, 503, UNAVAILABLE_TEXT[reason], {
      headers: { 'Retry-After': String(retryAfter) },
      cause: options.cause,
    });
    this.reason = reason;
    this.retryAfter = retryAfter;
  }
}

/** Why the API proxy (`auth.apiProxy()`) refused or could not complete a request. */
export type ProxyRefusedReason =
  'path_not_allowed' | 'method_not_allowed' | 'invalid_path' | 'body_too_large' | 'upload_not_retried';

const PROXY_TEXT: Record<ProxyRefusedReason, [number, string]> = {
  path_not_allowed: [404, "This path is not on the API proxy's allow-list."],
  method_not_allowed: [405, "This method is not on the API proxy's allow-list for this path."],
  invalid_path: [400, 'The path is malformed (dot segments, encoded slashes or backslashes are refused).'],
  body_too_large: [413, "The request body exceeds the API proxy's size cap."],
  upload_not_retried: [
    503,
    'The provider refused the access token during a streamed upload; the token was renewed, but the body cannot be sent twice. Send the request again.',
  ],
};

/**
 * The API proxy refused a request before it reached the provider (not on the allow-list, a
 * malformed path, a body over the cap), or could not retry a streamed upload after a refresh.
 */
export class ProxyRefusedError extends SynergyFlowError {
  override name = 'ProxyRefusedError';
  declare readonly code: typeof ErrorCodes.PROXY_REFUSED;
  /** Why. */
  readonly reason: ProxyRefusedReason;
  constructor(reason: ProxyRefusedReason, headers: Record<string, string> = {}) {
    const [status, message] = PROXY_TEXT[reason];
    super(ErrorCodes.PROXY_REFUSED, status, message, {
      headers: reason === 'upload_not_retried' ? { 'Retry-After': '0', ...headers } : headers,
    });
    this.reason = reason;
  }
}

/**
 * Any error this package throws, as a union narrowable by `code`:
 * `if (e.code === 'SF_RATE_LIMITED') e.retryAfter`.
 */
export type KnownSynergyFlowError =
  | UnauthorizedError
  | ForbiddenError
  | RateLimitError
  | LoginRequiredError
  | LoginFailedError
  | ProviderError
  | CrossSiteRequestError
  | TwoFactorRequiredError
  | TemporarilyUnavailableError
  | ProxyRefusedError;
