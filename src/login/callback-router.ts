import { Router, type NextFunction, type Request, type Response } from 'express';
import { LoginFailedError, type LoginFailedReason } from '../errors.js';
import { logger } from '../log.js';
import type { AuthParts } from '../parts.js';
import { noStore } from '../util/no-store.js';
import { linkResponse } from '../util/http.js';
import { answerCallback, type CallbackOutcome } from './callback-outcome.js';
import { plausibleState, readCallbackParams, type CallbackParams } from './callback-params.js';
import { follow, followable, letGo } from './login-handover.js';
import { redeemOnce } from './redeem-code.js';
import { authorizationErrorOutcome } from './silent-renewal.js';
import { lostLoginHint, requestLooksSecure, SetupError } from './setup-checks.js';
import { observedRoute } from '../telemetry/observed-route.js';

const log = logger('callback');

const failed = (reason: LoginFailedReason): CallbackOutcome => ({
  kind: 'failed',
  error: new LoginFailedError(reason),
});

/**
 * `GET /callback`: checks the answer in the order RFC 9700 asks (parameters, issuer, state, then
 * error or code), redeems the code exactly once, rotates the session id, stores the tokens, and
 * redirects away so the code does not stay in the browser's history. The steps decide an outcome;
 * `answerCallback` alone answers it and emits the `onLogin` hook.
 */
export function createCallbackRouter(parts: AuthParts): Router {
  const router = Router();
  const observed = observedRoute('callback');
  router.get(parts.config.routes.callback, observed, (req: Request, res: Response, next: NextFunction) => {
    linkResponse(req, res);
    noStore(res);
    res.setHeader('Referrer-Policy', 'no-referrer');
    const started = Date.now();
    // A browser gone before this route ran has closed the answer already: nothing to wait for.
    const answered = res.closed ? Promise.resolve() : new Promise<void>((resolve) => res.once('close', resolve));
    decide(parts, req, res).then(
      async ({ outcome, unlock }) => {
        answerCallback(parts.config.hooks, started, outcome, res, next);
        // The login's lock is let go once the answer (with the session save) is out: a browser
        // that reloads closes the first socket at once, but the exchange goes on, and releasing
        // earlier would let the reload redeem the same code a second time.
        if (unlock) await answered.then(() => letGo(unlock));
      },
      (error: unknown) => answerCallback(parts.config.hooks, started, { kind: 'failed', error }, res, next),
    );
  });
  return router;
}

interface Decided {
  readonly outcome: CallbackOutcome;
  readonly unlock?: (() => Promise<void>) | undefined;
}

/** The callback's steps, in RFC 9700's order; each decides or hands on. */
async function decide(parts: AuthParts, req: Request, res: Response): Promise<Decided> {
  let params: CallbackParams;
  try {
    params = readCallbackParams(req);
  } catch {
    return { outcome: failed('invalid_callback') };
  }
  if (!issuerMatches(parts, params.iss)) return { outcome: failed('issuer_mismatch') };
  // Known means: pending in this session AND started in this browser (its binding cookie).
  if (!plausibleState(params.state) || !parts.transactions.has(req, params.state)) {
    return { outcome: await unknownState(parts, req, params) };
  }
  const state = params.state;
  if (params.error !== undefined || params.code === undefined) {
    const taken = parts.transactions.take(req, state);
    if (typeof taken === 'string') return { outcome: failed(taken) };
    if (params.error === undefined || params.code !== undefined) return { outcome: failed('invalid_callback') };
    return { outcome: authorizationErrorOutcome(parts.config, taken, params.error) };
  }
  return redeemOnce(parts, req, res, state, params.code);
}

/**
 * A callback whose login this session does not hold: the same browser's reload after the login
 * finished (follow it), a replay by a user logged in already (the back button: not an error), or
 * a login that is unknown here.
 */
async function unknownState(parts: AuthParts, req: Request, params: CallbackParams): Promise<CallbackOutcome> {
  if (plausibleState(params.state) && params.code !== undefined) {
    const moved = await followable(parts, req, params.state, params.code);
    if (moved) {
      await follow(req, moved);
      parts.guardSession(req);
      return { kind: 'followed', landing: moved.landing };
    }
  }
  if (req.isAuthenticated?.()) return { kind: 'already_logged_in', landing: parts.config.successRedirect };
  // The login route saw the browser being given a cookie it refuses: that is why, and the fix.
  const refused = parts.refusedCookies.problem(requestLooksSecure(req));
  if (refused !== undefined) return { kind: 'failed', error: new SetupError(refused) };
  log('unknown state: %s', lostLoginHint(req));
  return failed('unknown_state');
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
