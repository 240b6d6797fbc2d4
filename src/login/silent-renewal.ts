import type { Request, Response } from 'express';
import { isLoginRequiredError } from '../error-guards.js';
import { LoginFailedError, type LoginRequiredReason } from '../errors.js';
import type { ResolvedConfig } from '../options.js';
import type { LoginTransaction } from '../session/session-state.js';
import type { CallbackOutcome } from './callback-outcome.js';

/*
 * Silent renewal (the `silentRenewal` option): when a browser's login has ended, the login is
 * first tried with `prompt=none`, which a user still signed in at the provider passes without a
 * page. Three steps, each in one place:
 * 1. `errorHandler()` sends the navigation to the login route with `renew=silent` (only for a
 *    login that ended: not for a visitor who never logged in or who logged out);
 * 2. the login route honours it at most once per browser every `loginTimeoutSeconds` (a cookie
 *    says an attempt was made), and marks the login's transaction `silent`;
 * 3. the callback of a silent login the provider could not finish without the user
 *    (`login_required`, `consent_required`, `interaction_required`) redirects to the login route
 *    without the marker: the normal login, never a loop.
 */

/** The query parameter that asks the login route for a silent attempt. */
export const RENEW_PARAMETER = 'renew';

/** The errors a `prompt=none` login ends with when the provider needs the user (OpenID Connect Core §3.1.2.6). */
const NEEDS_THE_USER = ['login_required', 'consent_required', 'interaction_required'] as const;
type NeedsTheUser = (typeof NEEDS_THE_USER)[number];

/** Reasons that mean "this browser was logged in, and its login has ended". */
const ENDED: ReadonlySet<LoginRequiredReason> = new Set<LoginRequiredReason>([
  'refresh_refused',
  'refresh_token_expired',
  'access_token_expired',
]);

/** A pending login, as the transaction store keeps it, with the silent mark. */
export type MarkedTransaction = LoginTransaction & {
  /** Started by silent renewal with `prompt=none`: a callback needing the user falls back. */
  readonly silent?: true;
};

/** Where `errorHandler()` sends a navigation that must log in: the login route, silently when it may. */
export function loginRedirectFor(config: ResolvedConfig, returnTo: string | undefined, error: unknown): string {
  const query = returnTo ? [`returnTo=${encodeURIComponent(returnTo)}`] : [];
  if (config.silentRenewal && isLoginRequiredError(error) && ENDED.has(error.reason)) {
    query.push(`${RENEW_PARAMETER}=silent`);
  }
  return query.length > 0 ? `${config.loginURL}?${query.join('&')}` : config.loginURL;
}

function cookieName(config: ResolvedConfig): string {
  return new URL(config.callbackURL).protocol === 'https:' ? '__Host-sf-silent' : 'sf-silent';
}

function hasCookie(req: Request, name: string): boolean {
  return (req.headers.cookie ?? '').split(';').some((pair) => pair.split('=')[0]?.trim() === name);
}

/**
 * True when this login is a silent renewal attempt: the option is on, the query asks for it, the
 * app chose no prompt, and this browser made no attempt within `loginTimeoutSeconds`. The attempt
 * is then noted in a cookie, so a login that keeps ending never loops through the provider.
 */
export function startsSilentAttempt(
  req: Request,
  res: Response,
  config: ResolvedConfig,
  chosenPrompt: string | undefined,
): boolean {
  if (!config.silentRenewal || chosenPrompt !== undefined) return false;
  if ((req.query as Record<string, unknown>)[RENEW_PARAMETER] !== 'silent') return false;
  const name = cookieName(config);
  if (hasCookie(req, name)) return false;
  const secure = name.startsWith('__Host-');
  res.cookie(name, '1', { httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge: config.loginTimeoutMs });
  return true;
}

/**
 * The outcome of a callback that carries `error` for the login `taken`: a silent attempt the
 * provider could not finish without the user falls back to the normal login (keeping
 * `returnTo`); otherwise the login failed, with the reason the error names.
 */
export function authorizationErrorOutcome(
  config: ResolvedConfig,
  taken: MarkedTransaction,
  error: string,
): CallbackOutcome {
  const needsTheUser = (NEEDS_THE_USER as readonly string[]).includes(error);
  if (needsTheUser && taken.silent) {
    const query = taken.returnTo ? `?returnTo=${encodeURIComponent(taken.returnTo)}` : '';
    return { kind: 'renew_interactively', landing: `${config.loginURL}${query}`, reason: error as NeedsTheUser };
  }
  const reason = error === 'access_denied' || needsTheUser ? (error as 'access_denied' | NeedsTheUser) : undefined;
  return { kind: 'failed', error: new LoginFailedError(reason ?? 'authorization_server_error') };
}
