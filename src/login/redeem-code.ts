import type { NextFunction, Request, Response } from 'express';
import { ErrorCodes, LoginFailedError, TemporarilyUnavailableError, type LoginFailedReason } from '../errors.js';
import {
  isLoginFailedError,
  isProviderError,
  isRateLimitError,
  isSynergyFlowError,
  isTemporarilyUnavailableError,
} from '../error-guards.js';
import { emit } from '../hooks.js';
import type { AuthParts } from '../parts.js';
import { authState, cacheProfile } from '../session/session-state.js';
import type { FinishedLogin } from './exchange-gate.js';
import { grantedTokens } from './granted-scope.js';
import { callbackDigest, claimLogin, follow, leaveMovedNote, NOTHING_HELD } from './login-handover.js';
import type { LoginInfo } from './strategy.js';
import { redirect } from '../util/http.js';

/** What one callback request's steps share. */
export interface CallbackRequest {
  readonly parts: AuthParts;
  readonly req: Request;
  readonly res: Response;
  readonly next: NextFunction;
  /** Answers the callback with a `LoginFailedError` (and the `onLogin` hook). */
  readonly failed: (reason: LoginFailedReason) => void;
  /** When the callback arrived (milliseconds since the epoch), for the `onLogin` hook. */
  readonly started: number;
}

/** How a callback that held the login ended: the login it finished, and the lock to let go of. */
export interface Redeemed {
  readonly login: FinishedLogin | undefined;
  readonly unlock: () => Promise<void>;
}

/**
 * Claims the login across instances, then redeems the code through Passport, logs the user in
 * and answers; or follows a sibling instance that finished the login first; or fails, or answers
 * 503, leaving the code alone. Every outcome is answered here; the lock comes back to be released
 * once the answer is out.
 */
export async function redeemOnce(call: CallbackRequest, state: string, code: string): Promise<Redeemed> {
  const { parts, req, res, next, failed } = call;
  const claim = await claimLogin(parts, req, state, code);
  if (claim.redeem) {
    try {
      return { login: await redeem(call, state, code), unlock: claim.unlock };
    } catch (error) {
      next(error);
      return { login: undefined, unlock: claim.unlock };
    }
  }
  if ('moved' in claim) {
    follow(req, res, claim.moved);
    return { login: claim.moved, unlock: NOTHING_HELD };
  }
  if ('spent' in claim) failed('unknown_state');
  else {
    emit(parts.config.hooks, 'onLogin', { outcome: ErrorCodes.UNAVAILABLE, durationMs: Date.now() - call.started });
    next(new TemporarilyUnavailableError(claim.unavailable));
  }
  return { login: undefined, unlock: NOTHING_HELD };
}

/** Redeems the code through Passport, logs the user in and answers; the login, if it finished. */
async function redeem(call: CallbackRequest, state: string, code: string): Promise<FinishedLogin | undefined> {
  const { parts, req, res, next, failed, started } = call;
  const from = req.sessionID;
  let outcome: Authenticated;
  try {
    outcome = await authenticate(parts, req, res);
  } catch (error) {
    const loginError = asLoginError(error);
    emit(parts.config.hooks, 'onLogin', { outcome: errorCode(loginError), durationMs: Date.now() - started });
    next(loginError);
    return undefined;
  }
  const { user, info } = outcome;
  if (!user || !info || !('tokens' in info)) {
    const message = info && 'message' in info ? info.message : undefined;
    failed(message === 'expired' ? 'expired' : 'unknown_state');
    return undefined;
  }
  const landing = info.state?.returnTo ?? parts.config.successRedirect;
  await finishLogin(parts, req, user, info);
  const login: FinishedLogin = { from, to: req.sessionID, landing, code: callbackDigest(code) };
  const binding = parts.transactions.binding.presented(req);
  if (binding) await leaveMovedNote(parts, req, state, { code: login.code, binding, to: login.to, landing });
  emit(parts.config.hooks, 'onLogin', {
    outcome: 'success',
    durationMs: Date.now() - started,
    userId: info.profile.id,
  });
  redirect(res, 303, landing);
  return login;
}

/** What Passport's callback hands over: the user and the strategy's info. */
interface Authenticated {
  readonly user: Express.User | false;
  readonly info: LoginInfo | { message?: string } | undefined;
}

/** Runs the strategy on the callback: the code exchange and the profile load. */
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
 * Errors raised while the callback runs are login failures: a 401 or 403 from the profile call of
 * a token issued a moment ago must not become an `UnauthorizedError`, which `errorHandler` would
 * answer by sending the browser to log in with this callback URL (and its code) as `returnTo`.
 * Provider outages (502/503/504) and rate limits keep their own types; others pass unchanged.
 */
function asLoginError(error: unknown): unknown {
  if (!isSynergyFlowError(error)) return error;
  if (isLoginFailedError(error) || isProviderError(error) || isRateLimitError(error)) return error;
  if (isTemporarilyUnavailableError(error)) return error;
  return new LoginFailedError('authorization_server_error');
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'error';
}

/**
 * Logs the user in (Passport regenerates the session: no fixation), then carries this browser's
 * other pending logins (other tabs) into the new session, and stores the tokens and the fresh
 * profile. Logins bound to another browser are dropped with the old session: carried over, they
 * would let an attacker who planted his session cookie finish his login in the victim's browser.
 */
async function finishLogin(parts: AuthParts, req: Request, user: Express.User, info: LoginInfo): Promise<void> {
  const tokens = grantedTokens(info, parts.config.scope);
  const otherTabs = parts.transactions.ownPending(req);
  await new Promise<void>((resolve, reject) =>
    req.logIn(user, (error: unknown) => (error ? reject(error as Error) : resolve())),
  );
  const state = authState(req);
  // The binding cookie lives as long as a login may; once none is pending it has no more use.
  if (otherTabs) state.transactions = otherTabs;
  else parts.transactions.binding.clear(req);
  cacheProfile(req, info.profile, parts.config.clock());
  await parts.tokens.remember(req, tokens);
}
