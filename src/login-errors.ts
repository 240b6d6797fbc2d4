import { ErrorCodes, SynergyFlowError } from './error-base.js';

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
