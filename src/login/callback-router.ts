import { Router, type NextFunction, type Request, type Response } from 'express';
import { plausibleState, readCallbackParams } from './callback-params.js';
import type { AuthParts } from '../parts.js';
import { noStore } from '../util/no-store.js';
import { LoginFailedError, type LoginFailedReason } from '../errors.js';
import { emit } from '../hooks.js';
import { logger } from '../log.js';
import { ExchangeGate } from './exchange-gate.js';
import { callbackDigest, follow, followable, letGo, NOTHING_HELD } from './login-handover.js';
import { redeemOnce, type Redeemed } from './redeem-code.js';
import { lostLoginHint } from './setup-checks.js';
import { observedRoute } from '../telemetry/observed-route.js';

const log = logger('callback');

/**
 * `GET /callback`: checks the answer in the order RFC 9700 asks (parameters, issuer, state, then
 * error or code), redeems the code exactly once, rotates the session id, stores the tokens, and
 * redirects away so the code does not stay in the browser's history.
 */
export function createCallbackRouter(parts: AuthParts): Router {
  const router = Router();
  const exchanges = new ExchangeGate();
  const observed = observedRoute('callback');
  router.get(parts.config.routes.callback, observed, (req: Request, res: Response, next: NextFunction) => {
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
      const unknown = (): void => {
        // A replayed callback (back button) of a user who is logged in is not an error.
        if (req.isAuthenticated?.()) return res.redirect(303, parts.config.successRedirect);
        log('unknown state: %s', lostLoginHint(req));
        failed('unknown_state');
      };
      if (!plausibleState(params.state) || params.code === undefined) return unknown();
      // The same browser's reload or second click, sent to another instance after this login
      // finished there (its session is gone, and with it the login's transaction).
      return void followable(parts, req, params.state, params.code).then((moved) =>
        moved ? follow(req, res, moved) : unknown(),
      );
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
    // A browser gone before this route ran has closed the answer already: nothing to wait for.
    const answered = res.closed ? Promise.resolve() : new Promise<void>((resolve) => res.once('close', resolve));
    const call = { parts, req, res, next, failed, started };
    void redeemOnce(call, state, code)
      .catch((error: unknown): Redeemed => {
        next(error);
        return { login: undefined, unlock: NOTHING_HELD };
      })
      .then(async ({ login, unlock }) => {
        await answered;
        release(login);
        await letGo(unlock);
      });
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
