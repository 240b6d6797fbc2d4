import type { Request, Response } from 'express';
import { LoginFailedError, TemporarilyUnavailableError } from '../errors.js';
import {
  isForbiddenError,
  isLoginFailedError,
  isProviderError,
  isRateLimitError,
  isSynergyFlowError,
  isTemporarilyUnavailableError,
} from '../error-guards.js';
import type { AuthParts } from '../parts.js';
import { startLifetimes } from '../session/lifetimes.js';
import { indexLogin } from '../session/login-index.js';
import { cacheProfile, recordLogin, setPendingLogins } from '../session/session-state.js';
import type { CallbackOutcome } from './callback-outcome.js';
import { grantedTokens } from './granted-scope.js';
import { callbackDigest, claimLogin, follow, leaveMovedNote, type FinishedLogin } from './login-handover.js';
import { serializersProblem } from './serializers.js';
import { SetupError } from './setup-error.js';
import type { LoginInfo } from './strategy.js';

/** How a callback that held the login ended, and the lock to let go of once the answer is out. */
export interface Redeemed {
  readonly outcome: CallbackOutcome;
  readonly unlock: (() => Promise<void>) | undefined;
}

const failed = (error: unknown): CallbackOutcome => ({ kind: 'failed', error });

/**
 * Claims the login (one redemption per code, across instances), then redeems the code through
 * Passport and logs the user in; or follows the request that finished the login first; or fails,
 * or answers 503 leaving the code alone. Decides the outcome; answers nothing.
 */
export async function redeemOnce(
  parts: AuthParts,
  req: Request,
  res: Response,
  state: string,
  code: string,
): Promise<Redeemed> {
  const claim = await claimLogin(parts, req, state, code);
  if (claim.redeem) {
    const outcome = await redeem(parts, req, res, state, code).catch(failed);
    return { outcome, unlock: claim.unlock };
  }
  if ('moved' in claim) {
    await follow(req, claim.moved);
    parts.guardSession(req);
    return { outcome: { kind: 'followed', landing: claim.moved.landing }, unlock: undefined };
  }
  if ('spent' in claim) return { outcome: failed(new LoginFailedError('unknown_state')), unlock: undefined };
  return { outcome: failed(new TemporarilyUnavailableError(claim.unavailable)), unlock: undefined };
}

/** Redeems the code through Passport, checks the app's serializers, and logs the user in. */
async function redeem(
  parts: AuthParts,
  req: Request,
  res: Response,
  state: string,
  code: string,
): Promise<CallbackOutcome> {
  let authenticated: Authenticated;
  try {
    authenticated = await authenticate(parts, req, res);
  } catch (error) {
    return failed(asLoginError(error));
  }
  const { user, info } = authenticated;
  if (!user || !info || !('tokens' in info)) {
    const message = info && 'message' in info ? info.message : undefined;
    return failed(new LoginFailedError(message === 'expired' ? 'expired' : 'unknown_state'));
  }
  const problem = await serializersProblem(parts.passport(), parts, req, user, info.profile);
  if (problem) return failed(new SetupError(problem));
  const landing = info.state?.returnTo ?? parts.config.successRedirect;
  await finishLogin(parts, req, user, info);
  const binding = parts.transactions.binding.presented(req);
  if (binding) {
    const login: FinishedLogin = { to: req.sessionID, landing, code: callbackDigest(code), binding };
    await leaveMovedNote(parts, req, state, login);
  }
  return { kind: 'logged_in', landing, userId: info.profile.id };
}

/** What Passport's callback hands over: the user and the strategy's info. */
interface Authenticated {
  readonly user: Express.User | false;
  readonly info: LoginInfo | { message?: string } | undefined;
}

/** Runs the strategy on the callback: the code exchange, the profile load and `verify`. */
function authenticate(parts: AuthParts, req: Request, res: Response): Promise<Authenticated> {
  return new Promise((resolve, reject) => {
    const done = (error: unknown, user: Express.User | false, info: Authenticated['info']): void =>
      error ? reject(error) : resolve({ user, info });
    // Passport calls `next` only when a strategy passes, which this one never does on a callback.
    const passed = (error?: unknown): void => reject(error ?? new LoginFailedError('unknown_state'));
    parts.passport().authenticate('synergyflow', done)(req, res, passed);
  });
}

/**
 * Errors raised while the callback runs are login failures: a 401 from the profile call of a
 * token issued a moment ago must not become an `UnauthorizedError`, which `errorHandler` would
 * answer by sending the browser to log in with this callback URL (and its code) as `returnTo`. A
 * 403 means the token lacks a scope the profile needs (`scope_not_granted`, 403, not an outage).
 * Provider outages (502/503/504) and rate limits keep their own types; others pass unchanged.
 */
function asLoginError(error: unknown): unknown {
  if (!isSynergyFlowError(error)) return error;
  if (isLoginFailedError(error) || isProviderError(error) || isRateLimitError(error)) return error;
  if (isTemporarilyUnavailableError(error)) return error;
  if (isForbiddenError(error)) return new LoginFailedError('scope_not_granted');
  return new LoginFailedError('authorization_server_error');
}

/**
 * Logs the user in (Passport regenerates the session: no fixation), records the login in the
 * package's own state, carries this browser's other pending logins (other tabs) into the new
 * session, and stores the tokens and the fresh profile. Logins bound to another browser are
 * dropped with the old session: carried over, they would let an attacker who planted his session
 * cookie finish his login in the victim's browser.
 */
async function finishLogin(parts: AuthParts, req: Request, user: Express.User, info: LoginInfo): Promise<void> {
  const tokens = grantedTokens(info, parts.config.scope);
  const otherTabs = parts.transactions.ownPending(req);
  await new Promise<void>((resolve, reject) =>
    req.logIn(user, (error: unknown) => (error ? reject(error as Error) : resolve())),
  );
  recordLogin(req, info.profile.id);
  // The binding cookie lives as long as a login may; once none is pending it has no more use.
  if (otherTabs) setPendingLogins(req, otherTabs);
  else parts.transactions.binding.clear(req);
  cacheProfile(req, info.profile, parts.config.clock());
  startLifetimes(req, parts.config);
  await parts.tokens.remember(req, tokens);
  parts.guardSession(req);
  await indexLogin(parts, req);
}
