import { Router, type NextFunction, type Request, type Response } from 'express';
import { plausibleState, readCallbackParams } from './callback-params.js';
import type { AuthParts } from '../parts.js';
import { noStore } from '../util/no-store.js';
import { LoginFailedError, type LoginFailedReason } from '../errors.js';
import { emit } from '../hooks.js';
import { logger } from '../log.js';
import type { SynergyFlowProfile } from '../provider/profile.js';
import { authState, peekAuthState } from '../session/session-state.js';
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
    if (params.iss !== undefined && params.iss !== new URL(parts.config.tokenURL).origin) {
      return failed('issuer_mismatch');
    }
    const pending = peekAuthState(req)?.transactions;
    const known = plausibleState(params.state) && pending !== undefined && Object.hasOwn(pending, params.state);
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
    parts
      .passport()
      .authenticate(
        'synergyflow',
        (error: unknown, user: SynergyFlowProfile | false, info: LoginInfo | { message?: string } | undefined) => {
          if (error) {
            emit(parts.config.hooks, 'onLogin', { outcome: errorCode(error), durationMs: Date.now() - started });
            return next(error);
          }
          if (!user || !info || !('tokens' in info)) {
            const message = info && 'message' in info ? info.message : undefined;
            return failed(message === 'expired' ? 'expired' : 'unknown_state');
          }
          const returnTo = info.state?.returnTo;
          finishLogin(parts, req, user, info.tokens).then(() => {
            emit(parts.config.hooks, 'onLogin', {
              outcome: 'success',
              durationMs: Date.now() - started,
              userId: user.id,
            });
            res.redirect(303, returnTo ?? parts.config.successRedirect);
          }, next);
        },
      )(req, res, next);
  });
  return router;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'error';
}

/**
 * Logs the user in (Passport regenerates the session: no fixation), then carries the other tabs'
 * pending logins into the new session, and stores the tokens and the fresh profile.
 */
async function finishLogin(
  parts: AuthParts,
  req: Request,
  user: SynergyFlowProfile,
  tokens: LoginInfo['tokens'],
): Promise<void> {
  const otherTabs = peekAuthState(req)?.transactions;
  await new Promise<void>((resolve, reject) =>
    req.logIn(user, (error: unknown) => (error ? reject(error as Error) : resolve())),
  );
  const state = authState(req);
  if (otherTabs && Object.keys(otherTabs).length > 0) state.transactions = otherTabs;
  state.profile = user;
  state.profileLoadedAt = parts.config.clock();
  await parts.tokenStore.set(req, tokens, undefined);
}
