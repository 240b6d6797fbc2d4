import type { NextFunction, Response } from 'express';
import { isSynergyFlowError } from '../error-guards.js';
import { emit, type Hooks } from '../hooks.js';
import { logger } from '../log.js';
import { redirect } from '../util/http.js';

const log = logger('callback');

/** How a callback ended: its steps decide it, {@link answerCallback} answers it. */
export type CallbackOutcome =
  /** The code was redeemed and the user logged in. */
  | { readonly kind: 'logged_in'; readonly landing: string; readonly userId: string }
  /** Another request of the same browser finished this login; this one lands there too. */
  | { readonly kind: 'followed'; readonly landing: string }
  /** A replayed callback (the back button) of a user who is logged in already. */
  | { readonly kind: 'already_logged_in'; readonly landing: string }
  /**
   * A silent renewal (`prompt=none`) the provider could not finish without the user: the browser
   * goes to the normal login, keeping where it was going (see `silent-renewal.ts`).
   */
  | {
      readonly kind: 'renew_interactively';
      readonly landing: string;
      readonly reason: 'login_required' | 'consent_required' | 'interaction_required';
    }
  /** The login failed, or cannot be finished now: the error says why. */
  | { readonly kind: 'failed'; readonly error: unknown };

/** What the `onLogin` hook reports for a failure: the reason of a login failure, else the code. */
function failureName(error: unknown): string {
  const { reason, code } = (error ?? {}) as { reason?: unknown; code?: unknown };
  if (isSynergyFlowError(error) && error.code === 'SF_LOGIN_FAILED' && typeof reason === 'string') return reason;
  return typeof code === 'string' ? code : 'error';
}

/**
 * The one place a callback is answered and its `onLogin` hook emitted: a 303 to where the login
 * lands, or the error to the app's error handlers (`errorHandler()` answers the package's own).
 */
export function answerCallback(
  hooks: Hooks,
  started: number,
  outcome: CallbackOutcome,
  res: Response,
  next: NextFunction,
): void {
  const durationMs = Date.now() - started;
  switch (outcome.kind) {
    case 'logged_in':
      log('login succeeded');
      emit(hooks, 'onLogin', { outcome: 'success', durationMs, userId: outcome.userId });
      return redirect(res, 303, outcome.landing);
    case 'followed':
      log('a second callback followed the login another request finished');
      return redirect(res, 303, outcome.landing);
    case 'already_logged_in':
      return redirect(res, 303, outcome.landing);
    case 'renew_interactively':
      log('silent renewal answered %s: on to the normal login', outcome.reason);
      emit(hooks, 'onLogin', { outcome: `silent_${outcome.reason}`, durationMs });
      return redirect(res, 303, outcome.landing);
    case 'failed': {
      const name = failureName(outcome.error);
      log('login failed: %s', name);
      emit(hooks, 'onLogin', { outcome: name, durationMs });
      return next(outcome.error);
    }
  }
}
