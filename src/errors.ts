/**
 * Typed errors. One class per failure kind, each with a stable `code`, the HTTP `status` the app
 * should answer with, and `headers` where they matter (`Retry-After`). Express's default handler
 * honours `status` and `headers`, and {@link errorHandler} negotiates HTML and JSON answers.
 *
 * Match on `code` (or use the `is*` guards), not `instanceof`: two copies of the package in one
 * process each have their own classes.
 */

/** Every error code this package assigns, one per failure kind. */
export const ErrorCodes = {
  UNAUTHORIZED: 'SF_UNAUTHORIZED',
  FORBIDDEN: 'SF_FORBIDDEN',
  RATE_LIMITED: 'SF_RATE_LIMITED',
  LOGIN_REQUIRED: 'SF_LOGIN_REQUIRED',
  LOGIN_FAILED: 'SF_LOGIN_FAILED',
  PROVIDER: 'SF_PROVIDER_ERROR',
  CROSS_SITE: 'SF_CROSS_SITE_REQUEST',
  TWO_FACTOR_REQUIRED: 'SF_TWO_FACTOR_REQUIRED',
  UNAVAILABLE: 'SF_UNAVAILABLE',
  PROXY_REFUSED: 'SF_PROXY_REFUSED',
} as const;

/** The union of the `code` values of this package's errors. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Marks this package's errors, whichever copy of the package made them. */
export const BRAND = Symbol.for('passport-synergyflow.error');

/** Base class of every error this package throws at runtime. */
export class SynergyFlowError extends Error {
  override name = 'SynergyFlowError';
  /** Stable machine-readable code; see {@link ErrorCodes}. */
  readonly code: ErrorCode;
  /** The HTTP status the app should answer with. */
  readonly status: number;
  /** Alias of `status`, read by some error handlers. */
  readonly statusCode: number;
  /** Headers the answer should carry (for example `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;
  /** Messages are written for the operator and never hold secrets, so handlers may show them. */
  readonly expose = true;

  constructor(
    code: ErrorCode,
    status: number,
    message: string,
    options: { headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = status;
    this.statusCode = status;
    this.headers = Object.freeze({ ...options.headers });
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }
}

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

/** Why a user must log in again. */
export type LoginRequiredReason =
  | 'no_session'
  | 'no_tokens'
  | 'access_token_expired'
  | 'refresh_token_expired'
  | 'refresh_refused'
  | 'user_changed'
  /** Logged in, but another way (another Passport strategy): this route needs a SynergyFlow login. */
  | 'other_login'
  /** The app's `deserializeUser` no longer finds the login's user (deleted, disabled): the login ended. */
  | 'user_not_found'
  /** The login was not used for `idleTimeoutSeconds`. */
  | 'idle_timeout'
  /** The login is older than `absoluteTimeoutSeconds`. */
  | 'absolute_timeout';

/** There is no usable token set: not logged in, or the refresh token expired or was refused. */
export class LoginRequiredError extends SynergyFlowError {
  override name = 'LoginRequiredError';
  declare readonly code: typeof ErrorCodes.LOGIN_REQUIRED;
  /** Why the user has to log in again. */
  readonly reason: LoginRequiredReason;
  constructor(reason: LoginRequiredReason) {
    super(ErrorCodes.LOGIN_REQUIRED, 401, `Log in required (${reason.replace(/_/g, ' ')}).`);
    this.reason = reason;
  }
}

/** Why a login attempt failed at the callback. */
export type LoginFailedReason =
  | 'access_denied'
  | 'invalid_callback'
  | 'unknown_state'
  | 'expired'
  | 'issuer_mismatch'
  | 'invalid_grant'
  | 'authorization_server_error'
  | 'refused_by_app'
  | 'scope_not_granted'
  | 'misdirected_callback'
  /** A `prompt=none` login: the user is not signed in at the provider. */
  | 'login_required'
  /** A `prompt=none` login: the provider must show its consent page. */
  | 'consent_required'
  /** A `prompt=none` login: the provider needs the user for something else. */
  | 'interaction_required';

const LOGIN_FAILED_TEXT: Record<LoginFailedReason, string> = {
  access_denied: 'The user declined the consent screen.',
  invalid_callback: 'The login callback was malformed. Start the login again.',
  unknown_state:
    'This login attempt is unknown to this browser session (already used, from another browser, or the session cookie was lost). Start the login again.',
  expired: 'The login attempt took too long and expired. Start the login again.',
  issuer_mismatch: 'The callback came from an unexpected issuer. Start the login again.',
  invalid_grant: 'The provider refused the authorization code. Start the login again.',
  authorization_server_error: 'The provider could not complete the login. Try again later.',
  refused_by_app: 'This account may not use this application (the app refused the login).',
  scope_not_granted: 'The provider did not grant the permissions this login asked for. Log in again and approve them.',
  misdirected_callback:
    'The login route received callback parameters (code, state, error or iss); only the callback route accepts them. Start the login again, and check that callbackURL points at the callback route.',
  login_required: 'The user is not signed in at the provider, so a login without a page (prompt=none) failed. Log in.',
  consent_required: 'The provider must ask for consent, so a login without a page (prompt=none) failed. Log in.',
  interaction_required: 'The provider needs the user, so a login without a page (prompt=none) failed. Log in.',
};

const LOGIN_FAILED_STATUS: Partial<Record<LoginFailedReason, number>> = {
  access_denied: 401,
  authorization_server_error: 502,
  refused_by_app: 403,
  scope_not_granted: 403,
  login_required: 401,
  consent_required: 401,
  interaction_required: 401,
};

/** A login attempt failed at the callback (denied consent, bad or expired state, refused code). */
export class LoginFailedError extends SynergyFlowError {
  override name = 'LoginFailedError';
  declare readonly code: typeof ErrorCodes.LOGIN_FAILED;
  /** Why the login failed. */
  readonly reason: LoginFailedReason;
  constructor(reason: LoginFailedReason) {
    super(ErrorCodes.LOGIN_FAILED, LOGIN_FAILED_STATUS[reason] ?? 400, LOGIN_FAILED_TEXT[reason]);
    this.reason = reason;
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
