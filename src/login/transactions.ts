import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { pendingLogins, setPendingLogins, type LoginTransaction } from '../session/session-state.js';
import { LoginBinding } from './login-binding.js';
import type { MarkedTransaction } from './silent-renewal.js';

/** Why a callback's state was not accepted. */
export type StateProblem = 'unknown_state' | 'expired';

/** State values are 32 random bytes, base64url: 256 bits, 43 characters. */
export const STATE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** What the transaction store is built from. */
export interface TransactionOptions {
  /** Pending logins kept per session. */
  readonly maxPendingLogins: number;
  /** How long a login stays valid, in milliseconds. */
  readonly loginTimeoutMs: number;
  /** The configured callback URL (its scheme picks the binding cookie's name). */
  readonly callbackURL: string;
  /** The clock. */
  readonly clock: () => number;
}

/**
 * Pending logins in the session, keyed by `state`, so several tabs can each finish their own
 * login. Bounded in count (oldest dropped) and in age; each entry is consumed on first use, and
 * only by the browser that started it ({@link LoginBinding}). `seams/passport-oauth2.ts` adapts
 * it to passport-oauth2's state-store interface.
 */
export class LoginTransactionStore {
  /** The browser binding every login is tied to. */
  readonly binding: LoginBinding;
  readonly #maxPending: number;
  readonly #ttlMs: number;
  readonly #clock: () => number;

  constructor(options: TransactionOptions) {
    this.#maxPending = options.maxPendingLogins;
    this.#ttlMs = options.loginTimeoutMs;
    this.#clock = options.clock;
    this.binding = new LoginBinding(options.callbackURL, options.loginTimeoutMs);
  }

  /**
   * Records a new login, bound to this browser, and returns its fresh `state`. `silent` marks a
   * silent renewal attempt (`prompt=none`; see `silent-renewal.ts`).
   */
  begin(
    req: Request,
    verifier: string,
    returnTo: string | undefined,
    scope?: readonly string[],
    silent?: boolean,
  ): string {
    const now = this.#clock();
    const state = randomBytes(32).toString('base64url');
    const binding = this.binding.bind(req);
    const live = Object.entries(pendingLogins(req) ?? {}).filter(([, t]) => now - t.createdAt <= this.#ttlMs);
    const login: MarkedTransaction = {
      verifier,
      returnTo,
      createdAt: now,
      binding,
      ...(scope ? { scope } : {}),
      ...(silent ? { silent: true } : {}),
    };
    live.push([state, login]);
    // Insertion order is age order: keeping the tail drops the oldest logins first.
    setPendingLogins(req, Object.fromEntries(live.slice(-this.#maxPending)));
    return state;
  }

  /** True when `state` names a pending login of this session started by this browser. */
  has(req: Request, state: string): boolean {
    const transactions = pendingLogins(req);
    const found = transactions && Object.hasOwn(transactions, state) ? transactions[state] : undefined;
    return found !== undefined && this.binding.matches(req, found.binding);
  }

  /**
   * Removes and returns the login named by `state`, or says why there is none. A login started
   * in another browser is unknown here, and left alone.
   */
  take(req: Request, state: string): LoginTransaction | StateProblem {
    const transactions = pendingLogins(req);
    if (!transactions || !this.has(req, state)) return 'unknown_state';
    const found = transactions[state] as LoginTransaction;
    setPendingLogins(req, Object.fromEntries(Object.entries(transactions).filter(([key]) => key !== state)));
    return this.#clock() - found.createdAt > this.#ttlMs ? 'expired' : found;
  }

  /** This browser's other pending logins, to carry into the session a login creates. */
  ownPending(req: Request): Record<string, LoginTransaction> | undefined {
    const transactions = pendingLogins(req);
    if (!transactions) return undefined;
    const own = Object.entries(transactions).filter(([, t]) => this.binding.matches(req, t.binding));
    return own.length > 0 ? Object.fromEntries(own) : undefined;
  }
}
