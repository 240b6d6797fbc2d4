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
    const inFlight = exchanges.running(state);
    if (inFlight) {
      log('a second callback for a login being redeemed waits for the first');
      return void inFlight.then((login) => (login ? follow(req, res, login) : failed('unknown_state')));
    }
    let finished: FinishedLogin | undefined;
    const from = req.sessionID;
    const release = exchanges.hold(state);
    // Released once the exchange has settled AND its answer (with the session save) is out. A
    // browser that reloads closes the first socket at once, but the exchange goes on: releasing
    // on 'close' alone would let the reload redeem the same code a second time.
    let settle: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const answered = new Promise<void>((resolve) => res.once('close', resolve));
    void Promise.all([settled, answered]).then(() => release(finished));
    parts
      .passport()
      .authenticate(
        'synergyflow',
        (error: unknown, user: Express.User | false, info: LoginInfo | { message?: string } | undefined) => {
          if (error) {
            settle();
            const loginError = asLoginError(error);
            emit(parts.config.hooks, 'onLogin', { outcome: errorCode(loginError), durationMs: Date.now() - started });
            return next(loginError);
          }
          if (!user || !info || !('tokens' in info)) {
            settle();
            const message = info && 'message' in info ? info.message : undefined;
            return failed(message === 'expired' ? 'expired' : 'unknown_state');
          }
          const landing = info.state?.returnTo ?? parts.config.successRedirect;
          finishLogin(parts, req, user, info).then(
            () => {
              finished = { from, to: req.sessionID, landing };
              settle();
              emit(parts.config.hooks, 'onLogin', {
                outcome: 'success',
                durationMs: Date.now() - started,
                userId: info.profile.id,
              });
              res.redirect(303, landing);
            },
            (error: unknown) => {
              settle();
              next(error);
            },
          );
        },
      )(req, res, next);
  });
  return router;
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
  if (otherTabs) state.transactions = otherTabs;
  cacheProfile(req, info.profile, parts.config.clock());
  await parts.tokens.remember(req, tokens);
}
