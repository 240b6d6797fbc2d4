import { Router, type NextFunction, type Request, type Response } from 'express';
import { plausibleState, readCallbackParams } from './callback-params.js';
import type { AuthParts } from '../parts.js';
import { noStore } from '../util/no-store.js';
import { LoginFailedError, type LoginFailedReason } from '../errors.js';
import { isTemporarilyUnavailableError } from '../error-guards.js';
import { isProviderError } from '../error-guards.js';
import { isLoginFailedError } from '../error-guards.js';
import { isRateLimitError } from '../error-guards.js';
import { isSynergyFlowError } from '../error-guards.js';
import { emit } from '../hooks.js';
import { logger } from '../log.js';
import { authState, cacheProfile } from '../session/session-state.js';
import { ExchangeGate, type FinishedLogin } from './exchange-gate.js';
import { callbackDigest, claimLogin, leaveMovedNote, movedLogin, type Claim } from './login-handover.js';
import { adoptSession } from '../session/adopt-session.js';
import { grantedTokens } from './granted-scope.js';
import { lostLoginHint } from './setup-checks.js';
import type { LoginInfo } from './strategy.js';

const log = logger('callback');

/**
 * `GET /callback`: checks the answer in the order RFC 9700 asks (parameters, issuer, state, then
 * error or code), redeems the code exactly once, rotates the session id, stores the tokens, and
 * redirects away so the code does not stay in the browser's history.
 */
export function createCallbackRouter(parts: AuthParts): Router {
  const router = Router();
  const exchanges = new ExchangeGate();
  router.get(parts.config.routes.callback, (req: Request, res: Response, next: NextFunction) => {
    noStore(res);
    res.setHeader('Referrer-Policy', 'no-referrer');
    const started = Date.now();
    const failed = (reason: LoginFailedReason): void => {
      log('login failed: %s', reason);
      emit(parts.config.hooks, 'onLogin', { outcome: reason, durationMs: Date.now() - started });
      next(new LoginFailedError(reason));
    };
    let params;
    try {
      params = readCallbackParams(req);
    } catch {
      return failed('invalid_callback');
    }
    if (!issuerMatches(parts, params.iss)) return failed('issuer_mismatch');
    // Known means: pending in this session AND started in this browser (its binding cookie).
    const known = plausibleState(params.state) && parts.transactions.has(req, params.state);
    if (!known) {
      // The same browser's second callback, which the load balancer sent to another instance
      // after this login had finished and moved on to a new session.
      const moved = movedLogin(parts, req, params.state, params.code);
      if (moved) return follow(req, res, moved);
      // A replayed callback (back button) of a user who is logged in is not an error.
      if (req.isAuthenticated?.()) return res.redirect(303, parts.config.successRedirect);
      log('unknown state: %s', lostLoginHint(req));
      return failed('unknown_state');
    }
    if (params.error !== undefined || params.code === undefined) {
      const taken = parts.transactions.take(req, params.state as string);
      if (typeof taken === 'string') return failed(taken);
      if (params.error === undefined || params.code !== undefined) return failed('invalid_callback');
      return failed(params.error === 'access_denied' ? 'access_denied' : 'authorization_server_error');
    }
    const state = params.state as string;
    const code = params.code;
    const inFlight = exchanges.running(state);
    if (inFlight) {
      log('a second callback for a login being redeemed waits for the first');
      return void inFlight.then((login) =>
        login?.code === callbackDigest(code) ? follow(req, res, login) : failed('unknown_state'),
      );
    }
    const release = exchanges.hold(state);
    // Released once the exchange has settled AND its answer (with the session save) is out. A
    // browser that reloads closes the first socket at once, but the exchange goes on: releasing
    // on 'close' alone would let the reload redeem the same code a second time.
    const answered = new Promise<void>((resolve) => res.once('close', resolve));
    void redeemOnce({ parts, req, res, next, failed, started }, state, code).then(async ({ login, unlock }) => {
      await answered;
      release(login);
      // A lock that cannot be released runs out with its lease.
      await unlock().catch(() => log('could not release the login lock'));
    });
  });
  return router;
}

/** What one callback request's steps share. */
interface CallbackRequest {
  readonly parts: AuthParts;
  readonly req: Request;
  readonly res: Response;
  readonly next: NextFunction;
  readonly failed: (reason: LoginFailedReason) => void;
  /** When the callback arrived (milliseconds since the epoch), for the `onLogin` hook. */
  readonly started: number;
}

/** How a callback that held the login ended: the login it finished, and the lock to let go of. */
interface Redeemed {
  readonly login: FinishedLogin | undefined;
  readonly unlock: () => Promise<void>;
}

const NOTHING_HELD = async (): Promise<void> => undefined;

/**
 * Claims the login across instances, then redeems the code through Passport, logs the user in
 * and answers, or follows a sibling instance that finished the login first. Never rejects:
 * every failure is answered here.
 */
async function redeemOnce(call: CallbackRequest, state: string, code: string): Promise<Redeemed> {
  const { parts, req, res, next, failed, started } = call;
  const claim = await claimLogin(parts, req, state, code).catch((error: unknown): Claim => {
    // The lock's store is down: what one instance would do (its session store may be elsewhere).
    log('could not take the login lock (%s): redeeming without it', String(error));
    return { redeem: true, unlock: NOTHING_HELD };
  });
  if (!claim.redeem) {
    if (claim.moved) follow(req, res, claim.moved);
    else failed('unknown_state');
    return { login: claim.moved, unlock: NOTHING_HELD };
  }
  const from = req.sessionID;
  const binding = parts.transactions.binding.presented(req);
  let outcome: Authenticated;
  try {
    outcome = await authenticate(parts, req, res);
  } catch (error) {
    const loginError = asLoginError(error);
    emit(parts.config.hooks, 'onLogin', { outcome: errorCode(loginError), durationMs: Date.now() - started });
    next(loginError);
    return { login: undefined, unlock: claim.unlock };
  }
  const { user, info } = outcome;
  if (!user || !info || !('tokens' in info)) {
    const message = info && 'message' in info ? info.message : undefined;
    failed(message === 'expired' ? 'expired' : 'unknown_state');
    return { login: undefined, unlock: claim.unlock };
  }
  const landing = info.state?.returnTo ?? parts.config.successRedirect;
  try {
    await finishLogin(parts, req, user, info);
  } catch (error) {
    next(error);
    return { login: undefined, unlock: claim.unlock };
  }
  const login: FinishedLogin = { from, to: req.sessionID, landing, code: callbackDigest(code) };
  if (binding !== undefined) {
    const note = { state: callbackDigest(state), code: login.code, binding, to: login.to, landing };
    await leaveMovedNote(parts, req, from, note);
  }
  emit(parts.config.hooks, 'onLogin', {
    outcome: 'success',
    durationMs: Date.now() - started,
    userId: info.profile.id,
  });
  res.redirect(303, landing);
  return { login, unlock: claim.unlock };
}

/** What Passport's callback hands over: the user and the strategy's info. */
interface Authenticated {
  readonly user: Express.User | false;
  readonly info: LoginInfo | { message?: string } | undefined;
}

/** Runs the strategy on the callback: the code exchange and the profile load. */
function authenticate(parts: AuthParts, req: Request, res: Response): Promise<Authenticated> {
  return new Promise((resolve, reject) => {
    parts
      .passport()
      .authenticate('synergyflow', (error: unknown, user: Express.User | false, info: Authenticated['info']) =>
        error ? reject(error) : resolve({ user, info }),
      )(req, res, reject);
  });
}

/**
 * RFC 9207: with an `issuer` configured, `iss` must be present and equal to it (plain string
 * comparison); without, an `iss` a server sends anyway must at least be the provider's origin.
 */
function issuerMatches(parts: AuthParts, iss: string | undefined): boolean {
  const { issuer, tokenURL } = parts.config;
  if (issuer !== undefined) return iss === issuer;
  return iss === undefined || iss === new URL(tokenURL).origin;
}

/**
 * Answers a second callback of a login another request of the same browser session has just
 * finished: the browser dropped that answer (a reload, a double click), and with it the cookie of
 * the new session, so this answer carries it and lands where the login does. The request proved
 * it is that browser: it brought the session cookie the login started in, the login's binding
 * cookie and its state (checked before it waited).
 */
function follow(req: Request, res: Response, login: FinishedLogin): void {
  const adopted =
    req.sessionID === login.from ? adoptSession(req, login.to).catch(() => false) : Promise.resolve(false);
  void adopted.then((moved) => {
    if (!moved) log('a second callback could not follow the login: the new session is gone');
    res.redirect(303, login.landing);
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
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'error';
}

/**
 * Logs the user in (Passport regenerates the session: no fixation), then carries this browser's
 * other pending logins (other tabs) into the new session, and stores the tokens and the fresh
 * profile. Logins bound to another browser are dropped with the old session: carried over, they
 * would let an attacker who planted his session cookie finish his login in the victim's browser.
 */
async function finishLogin(parts: AuthParts, req: Request, user: Express.User, info: LoginInfo): Promise<void> {
  const tokens = grantedTokens(info);
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
