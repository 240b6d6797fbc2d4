/*
 * Everything this package relies on inside passport-oauth2, in one file. passport-oauth2 is what
 * the design builds on (state, PKCE, the Passport strategy contract), but three of its habits
 * are not public API, so they are pinned here and checked by the package's contract test (in
 * its repository), which fails if an upgrade changes them:
 *
 * 1. It picks how to call the state store and the verify function by their parameter count
 *    (`fn.length`): `store(req, verifier, state, meta, cb)` only when `store.length === 5`,
 *    `verify(req, state, meta, cb)` only when `verify.length === 4`, and (with
 *    `passReqToCallback`) `verify(req, accessToken, refreshToken, params, profile, done)` only
 *    when `verify.length === 6`.
 *    The adapters below are written with exactly those counts; removing an "unused" parameter
 *    would silently change what they receive.
 * 2. It redeems the code through `this._oauth2.getOAuthAccessToken(code, params, cb)`, an
 *    `oauth` library object with no timeout, no size cap and no redirect policy; the code
 *    exchange is routed through the package's client instead.
 * 3. It wraps token-endpoint errors with `_createOAuthError`; this package's typed errors are
 *    passed through unwrapped.
 *
 * The published types show passport-oauth2's class only as {@link OAuth2Base}: a Passport
 * strategy. So apps need no `@types/passport-oauth2`, and its `@types/express` never meets theirs.
 */
import type { Request } from 'express';
import type { Strategy as PassportStrategy } from 'passport';
import { Strategy as OAuth2Strategy, type StateStore, type VerifyFunctionWithRequest } from 'passport-oauth2';
import type { TokenSet } from '../tokens/token-set.js';
import type { LoginTransactionStore, StateProblem } from '../login/transactions.js';

/** The parameter counts passport-oauth2 dispatches on (see the file comment). */
export const PASSPORT_OAUTH2_ARITY = { store: 5, verify: 4, verifyCallback: 6 } as const;

/** The constructor options of passport-oauth2 this package sets. */
export interface OAuth2BaseOptions {
  authorizationURL: string;
  tokenURL: string;
  clientID: string;
  clientSecret: string;
  callbackURL: string;
  scope?: string[];
  scopeSeparator: string;
  pkce: 'S256';
  state: true;
  /** A passport-oauth2 state store ({@link toStateStore}); opaque in the public types. */
  store: object;
  passReqToCallback: true;
}

/** What the strategy inherits from passport-oauth2, as the public types show it. */
export interface OAuth2BaseStrategy extends PassportStrategy {
  name: string;
  /** Loads the profile after the code exchange. */
  userProfile(accessToken: string, done: (err?: unknown, profile?: unknown) => void): void;
  /** Extra authorization-request parameters for one login, from `passport.authenticate` options. */
  authorizationParams(options: Record<string, unknown>): Record<string, string>;
}

/** passport-oauth2's `Strategy` class, typed as {@link OAuth2BaseStrategy}. */
export const OAuth2Base = OAuth2Strategy as unknown as new (
  options: OAuth2BaseOptions,
  // A passport-oauth2 verify function ({@link toVerifyCallback}); opaque in the public types.
  verify: (...args: never[]) => void,
) => OAuth2BaseStrategy;

/** `options.state` as the login router passes it to `passport.authenticate`. */
interface LoginRequestState {
  returnTo?: string | undefined;
  scope?: readonly string[] | undefined;
  silent?: boolean | undefined;
}

type StateVerified = (
  error: Error | null,
  verifier: string | false,
  info?: { message: StateProblem } | { returnTo?: string | undefined; scope?: readonly string[] | undefined },
) => void;

/** Adapts the login transactions to passport-oauth2's PKCE state-store interface. */
export function toStateStore(transactions: LoginTransactionStore): StateStore {
  const store = {
    store(
      req: Parameters<LoginTransactionStore['begin']>[0],
      verifier: string,
      requestState: LoginRequestState | undefined,
      _meta: unknown,
      callback: (error: Error | null, state?: string) => void,
    ): void {
      try {
        callback(
          null,
          transactions.begin(req, verifier, requestState?.returnTo, requestState?.scope, requestState?.silent),
        );
      } catch (error) {
        callback(error as Error);
      }
    },
    verify(
      req: Parameters<LoginTransactionStore['take']>[0],
      state: string,
      _meta: unknown,
      callback: StateVerified,
    ): void {
      try {
        const taken = transactions.take(req, state);
        if (typeof taken === 'string') return callback(null, false, { message: taken });
        callback(null, taken.verifier, { returnTo: taken.returnTo, scope: taken.scope });
      } catch (error) {
        callback(error as Error, false);
      }
    },
  };
  return store as unknown as StateStore;
}

/** What passport-oauth2's token callback receives; `tokenSet` is ours, in `params`. */
type TokenCallback = (
  err: unknown,
  accessToken?: string,
  refreshToken?: string,
  params?: { tokenSet: TokenSet },
) => void;

/** Routes passport-oauth2's code exchange through `exchange` (the package's client). */
export function routeCodeExchange(
  strategy: object,
  exchange: (code: string, verifier: string) => Promise<TokenSet>,
): void {
  const oauth2 = (strategy as unknown as { _oauth2: { getOAuthAccessToken: unknown } })._oauth2;
  oauth2.getOAuthAccessToken = (code: string, params: { code_verifier?: string }, callback: TokenCallback) => {
    exchange(code, params.code_verifier ?? '').then(
      (tokens) => callback(null, tokens.accessToken, tokens.refreshToken, { tokenSet: tokens }),
      (error: unknown) => callback(error),
    );
  };
}

/** The verify callback passport-oauth2 calls after the profile loads, with the request. */
export type Verified<Profile> = (
  req: Request,
  tokens: TokenSet,
  profile: Profile,
  done: (err: unknown, user?: unknown, info?: unknown) => void,
) => void;

/** Builds the six-parameter verify function passport-oauth2 expects around `verified`. */
export function toVerifyCallback<Profile>(verified: Verified<Profile>): VerifyFunctionWithRequest {
  const verify = (
    req: Request,
    _accessToken: string,
    _refreshToken: string,
    params: { tokenSet: TokenSet },
    profile: Profile,
    done: (err: unknown, user?: unknown, info?: unknown) => void,
  ): void => verified(req, params.tokenSet, profile, done);
  // The typings list only the five-parameter form; the six-parameter one is what we need.
  return verify as unknown as VerifyFunctionWithRequest;
}

/** passport-oauth2's own `_createOAuthError`, for errors that are not this package's. */
export function baseCreateOAuthError(strategy: object, message: string, error: unknown): unknown {
  const base = OAuth2Strategy.prototype as unknown as {
    _createOAuthError(this: unknown, message: string, error: unknown): unknown;
  };
  return base._createOAuthError.call(strategy, message, error);
}
