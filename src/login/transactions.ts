import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { authState, peekAuthState, type LoginTransaction } from '../session/session-state.js';

/** Why a callback's state was not accepted. */
export type StateProblem = 'unknown_state' | 'expired';

/** State values are 32 random bytes, base64url: 256 bits, 43 characters. */
export const STATE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** `options.state` as passed by the login router to `passport.authenticate`. */
interface LoginRequestState {
  returnTo?: string | undefined;
}

/**
 * Pending logins in the session, keyed by `state`, so several tabs can each finish their own
 * login. Bounded in count (oldest dropped) and in age; each entry is consumed on first use.
 * Implements passport-oauth2's state-store interface (`store` / `verify` with PKCE).
 */
export class LoginTransactionStore {
  readonly #maxPending: number;
  readonly #ttlMs: number;

  constructor(maxPending: number, ttlMs: number) {
    this.#maxPending = maxPending;
    this.#ttlMs = ttlMs;
  }

  /** passport-oauth2 hook: records a new login and hands back its fresh `state`. */
  store(
    req: Request,
    verifier: string,
    requestState: LoginRequestState | undefined,
    _meta: unknown,
    callback: (error: Error | null, state?: string) => void,
  ): void {
    try {
      const now = Date.now();
      const state = randomBytes(32).toString('base64url');
      const session = authState(req);
      const live = Object.entries(session.transactions ?? {}).filter(([, t]) => now - t.createdAt <= this.#ttlMs);
      live.push([state, { verifier, returnTo: requestState?.returnTo, createdAt: now }]);
      // Insertion order is age order: keeping the tail drops the oldest logins first.
      session.transactions = Object.fromEntries(live.slice(-this.#maxPending));
      callback(null, state);
    } catch (error) {
      callback(error as Error);
    }
  }

  /** passport-oauth2 hook: consumes the login named by `state`; `false` when it is not usable. */
  verify(
    req: Request,
    state: string,
    _meta: unknown,
    callback: (
      error: Error | null,
      verifier: string | false,
      info?: { message: StateProblem } | { returnTo?: string | undefined },
    ) => void,
  ): void {
    try {
      const taken = this.take(req, state);
      if (typeof taken === 'string') return callback(null, false, { message: taken });
      callback(null, taken.verifier, { returnTo: taken.returnTo });
    } catch (error) {
      callback(error as Error, false);
    }
  }

  /** Removes and returns the login named by `state`, or says why there is none. */
  take(req: Request, state: string): LoginTransaction | StateProblem {
    const session = peekAuthState(req);
    const transactions = session?.transactions;
    const found = transactions && Object.hasOwn(transactions, state) ? transactions[state] : undefined;
    if (!session || !transactions || !found) return 'unknown_state';
    session.transactions = Object.fromEntries(Object.entries(transactions).filter(([key]) => key !== state));
    return Date.now() - found.createdAt > this.#ttlMs ? 'expired' : found;
  }
}
