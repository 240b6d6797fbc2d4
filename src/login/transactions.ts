import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { authState, peekAuthState, type LoginTransaction } from '../session/session-state.js';

/** Why a callback's state was not accepted. */
export type StateProblem = 'unknown_state' | 'expired';

/** State values are 32 random bytes, base64url: 256 bits, 43 characters. */
export const STATE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Pending logins in the session, keyed by `state`, so several tabs can each finish their own
 * login. Bounded in count (oldest dropped) and in age; each entry is consumed on first use.
 * `passport-oauth2-seam.ts` adapts it to passport-oauth2's state-store interface.
 */
export class LoginTransactionStore {
  readonly #maxPending: number;
  readonly #ttlMs: number;
  readonly #clock: () => number;

  constructor(maxPending: number, ttlMs: number, clock: () => number = Date.now) {
    this.#maxPending = maxPending;
    this.#ttlMs = ttlMs;
    this.#clock = clock;
  }

  /** Records a new login and returns its fresh `state`. */
  begin(req: Request, verifier: string, returnTo: string | undefined, scope?: readonly string[]): string {
    const now = this.#clock();
    const state = randomBytes(32).toString('base64url');
    const session = authState(req);
    const live = Object.entries(session.transactions ?? {}).filter(([, t]) => now - t.createdAt <= this.#ttlMs);
    live.push([state, { verifier, returnTo, createdAt: now, ...(scope ? { scope } : {}) }]);
    // Insertion order is age order: keeping the tail drops the oldest logins first.
    session.transactions = Object.fromEntries(live.slice(-this.#maxPending));
    return state;
  }

  /** Removes and returns the login named by `state`, or says why there is none. */
  take(req: Request, state: string): LoginTransaction | StateProblem {
    const session = peekAuthState(req);
    const transactions = session?.transactions;
    const found = transactions && Object.hasOwn(transactions, state) ? transactions[state] : undefined;
    if (!session || !transactions || !found) return 'unknown_state';
    session.transactions = Object.fromEntries(Object.entries(transactions).filter(([key]) => key !== state));
    return this.#clock() - found.createdAt > this.#ttlMs ? 'expired' : found;
  }
}
