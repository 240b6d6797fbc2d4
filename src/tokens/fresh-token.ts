import type { Request } from 'express';
import { LoginRequiredError, TemporarilyUnavailableError, UnauthorizedError } from '../errors.js';
import { isTemporarilyUnavailableError } from '../error-guards.js';
import { isProviderError } from '../error-guards.js';
import { isLoginRequiredError } from '../error-guards.js';
import { isRateLimitError } from '../error-guards.js';
import { isUnauthorizedError } from '../error-guards.js';
import { emit } from '../hooks.js';
import { logger } from '../log.js';
import { storeUnavailable } from '../redis/store-outage.js';
import { tracedTokenStore } from '../telemetry/traced-token-store.js';
import type { ResolvedConfig } from '../options.js';
import { forgetTokensAndProfile, markProfileStale, noteTokensDue } from '../session/session-state.js';
import type { RefreshCoordinator } from './refresh-coordinator.js';
import { refreshParams, type TwoFactorAnswer } from './refresh-params.js';
import { toAccessToken, type AccessToken, type AccessTokenSource } from './request-auth.js';
import { needsRefresh, refreshDueAt, refreshTokenDead, type TokenSet } from './token-set.js';
import type { TokenStore } from './token-store.js';

const log = logger('token');

/** Options of one trip down the token path. */
export interface TokenPathOptions {
  /** Second-factor answers to send with the refresh (`auth.accessToken(req, twoFactor)`). */
  twoFactor?: TwoFactorAnswer | undefined;
  /** When the request's budget runs out (milliseconds since the epoch, on the config's clock). */
  deadline?: number | undefined;
  /** Whether a refresh may wait for another instance's lock (not while the current token serves). */
  canWait?: boolean | undefined;
}

/** A provider call made with the request's token, and the token set it finally used. */
export interface TokenCallResult<T> {
  value: T;
  tokens: TokenSet;
}

/**
 * The one path from a request to a usable access token. `requireUser()`, `requireToken()`,
 * `accessToken()` and `api()` all come here, so every refresh sends the same parameters
 * ({@link refreshParams}) and every failure ends in the same state whichever of them met it:
 *
 * | what happened                          | error                                   | tokens and profile |
 * | -------------------------------------- | --------------------------------------- | ------------------ |
 * | no token set                           | `LoginRequiredError` `no_tokens`        | forgotten          |
 * | refresh refused (`invalid_grant`)      | `LoginRequiredError` `refresh_refused`  | forgotten          |
 * | 401, refresh, 401 again                | `UnauthorizedError`                     | forgotten          |
 * | 429                                    | `RateLimitError`                        | kept               |
 * | provider down, lock busy, store down   | `ProviderError` / `TemporarilyUnavailableError` | kept       |
 *
 * A due refresh that fails for a passing reason while the access token is still valid is not a
 * failure: the request goes on with the current token.
 */
export class TokenPath implements AccessTokenSource {
  readonly #store: TokenStore;
  readonly #refresher: RefreshCoordinator;
  readonly #config: ResolvedConfig;

  constructor(store: TokenStore, refresher: RefreshCoordinator, config: ResolvedConfig) {
    this.#store = tracedTokenStore(store);
    this.#refresher = refresher;
    this.#config = config;
  }

  /** When a request that starts now runs out of budget. */
  deadline(): number {
    return this.#config.clock() + this.#config.requestTimeoutMs;
  }

  /** The request's token set with a usable access token: read, refreshed when due, persisted. */
  async fresh(req: Request, options: TokenPathOptions = {}): Promise<TokenSet> {
    const tokens = await this.#read(req);
    if (!tokens) throw await this.forget(req, new LoginRequiredError('no_tokens'));
    const now = this.#config.clock();
    if (!needsRefresh(tokens, now, this.#config.refreshSkewMs)) {
      return this.#noted(req, tokens);
    }
    // Nothing to refresh with (no refresh token, or its uses are spent): the access token still
    // serves until it expires; only then must the user log in again.
    if (refreshTokenDead(tokens, now) && stillValid(tokens, now)) return tokens;
    try {
      return await this.#refresh(req, tokens, { ...options, canWait: !stillValid(tokens, now) });
    } catch (error) {
      if (!isPassing(error) || !stillValid(tokens, this.#config.clock())) throw error;
      const code = (error as { code: string }).code;
      log('refresh failed (%s) but the access token is still valid: using it', code);
      emit(this.#config.hooks, 'onStaleTokenServed', { outcome: code, durationMs: 0 });
      return tokens;
    }
  }

  /**
   * The handler's view of the request's fresh token set: `auth.accessToken()`, `requireToken()`
   * and `req.synergyflow.token()` (see {@link LazyRequestAuth}) all return this. A second-factor
   * challenge (SynapseFi) is a `TwoFactorRequiredError`; call again with `twoFactor` to answer it.
   */
  async accessToken(req: Request, twoFactor?: TwoFactorAnswer): Promise<AccessToken> {
    const tokens = await this.fresh(req, { twoFactor, deadline: this.deadline() });
    if (tokens.refreshUsesLeft !== undefined && tokens.refreshUsesLeft <= 2) {
      log('the refresh token has %d uses left', tokens.refreshUsesLeft);
    }
    return toAccessToken(tokens);
  }

  /**
   * Runs `call` with a fresh token. A 401 means the token was revoked (a sibling's refresh, or
   * the provider): refresh once and retry once; a second 401 forgets the tokens.
   */
  async call<T>(
    req: Request,
    call: (tokens: TokenSet) => Promise<T>,
    options: TokenPathOptions = {},
  ): Promise<TokenCallResult<T>> {
    const tokens = await this.fresh(req, options);
    try {
      return { value: await this.#within(call(tokens), options.deadline), tokens };
    } catch (error) {
      if (!isUnauthorizedError(error)) throw error;
    }
    log('the provider answered 401: refreshing once and retrying once');
    const renewed = await this.#refresh(req, tokens, options);
    try {
      return { value: await this.#within(call(renewed), options.deadline), tokens: renewed };
    } catch (error) {
      if (isUnauthorizedError(error)) throw await this.forget(req, new UnauthorizedError(), renewed.version);
      throw error;
    }
  }

  /** Stores a login's first token set, replacing whatever the store held. */
  async remember(req: Request, tokens: TokenSet): Promise<void> {
    try {
      await this.#store.set(req, tokens, undefined);
    } catch (error) {
      if (isSetupMistake(error)) throw error;
      throw storeUnavailable(error, "storing a new login's tokens");
    }
    this.#noted(req, tokens);
  }

  /**
   * Forgets the request's tokens (only `version`, when given) and cached profile, then hands
   * back `error` to throw. The Passport login stays, so the login page can still return the user
   * where they were.
   */
  async forget<E extends Error>(req: Request, error: E, version?: number): Promise<E> {
    await this.#store.clear(req, version).catch(() => log('could not clear the token set; it expires on its own'));
    forgetTokensAndProfile(req);
    return error;
  }

  async #read(req: Request): Promise<TokenSet | undefined> {
    try {
      return await this.#store.get(req);
    } catch (error) {
      if (isSetupMistake(error)) throw error;
      throw storeUnavailable(error, 'reading the token store');
    }
  }

  async #refresh(req: Request, tokens: TokenSet, options: TokenPathOptions): Promise<TokenSet> {
    const store = this.#store;
    let next: TokenSet;
    try {
      next = await this.#within(
        this.#refresher.refresh(tokens, {
          reread: () => store.get(req),
          params: refreshParams(this.#config.scope, options.twoFactor),
          canWait: options.canWait,
          persist: (fresh) => store.set(req, fresh, tokens.version),
        }),
        options.deadline,
      );
    } catch (error) {
      if (isLoginRequiredError(error)) throw await this.forget(req, error, tokens.version);
      // This request stops waiting, but its refresh goes on: keep the result for the next one.
      if (isTemporarilyUnavailableError(error) && error.reason === 'request_timeout') this.#refresher.retain(tokens);
      throw error;
    }
    // A refresh invalidates the cached profile: the next check loads it with the new token.
    markProfileStale(req);
    return this.#noted(req, await this.#adopt(req, tokens, next));
  }

  /**
   * Requests that joined or adopted another's refresh store its result in their own session too;
   * the version check turns a write that is already there (or older) into a re-read.
   */
  async #adopt(req: Request, previous: TokenSet, next: TokenSet): Promise<TokenSet> {
    try {
      const stored = await this.#store.get(req);
      if (stored && stored.version >= next.version) return stored;
      if (await this.#store.set(req, next, previous.version)) return next;
      const latest = await this.#store.get(req);
      return latest && latest.version >= next.version ? latest : next;
    } catch {
      // The refresher keeps what it could not store; this request can go on with it.
      return next;
    }
  }

  #noted(req: Request, tokens: TokenSet): TokenSet {
    noteTokensDue(req, refreshDueAt(tokens, this.#config.refreshSkewMs));
    return tokens;
  }

  /** Waits for `work`, but not past the request's deadline. The work itself goes on. */
  async #within<T>(work: Promise<T>, deadline: number | undefined): Promise<T> {
    if (deadline === undefined) return work;
    const left = deadline - this.#config.clock();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new TemporarilyUnavailableError('request_timeout')), Math.max(0, left));
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The package's own "mount express-session first" errors, as opposed to a store that is down. */
function isSetupMistake(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('passport-synergyflow');
}

/** Failures that say nothing about the login: the current access token may still be used. */
function isPassing(error: unknown): boolean {
  return isProviderError(error) || isRateLimitError(error) || isTemporarilyUnavailableError(error);
}

function stillValid(tokens: TokenSet, now: number): boolean {
  return tokens.expiresAt !== undefined && now < tokens.expiresAt;
}
