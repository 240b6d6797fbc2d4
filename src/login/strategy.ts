import { Strategy as OAuth2Strategy } from 'passport-oauth2';
import { SynergyFlowClient } from '../provider/client.js';
import { isSynergyFlowError } from '../errors.js';
import { resolveOptions, type ResolvedConfig, type SynergyFlowOptions } from '../options.js';
import type { SynergyFlowProfile } from '../provider/profile.js';
import type { TokenSet } from '../tokens/token-set.js';
import { baseCreateOAuthError, routeCodeExchange, toStateStore, toVerifyCallback } from './passport-oauth2-seam.js';
import { LoginTransactionStore } from './transactions.js';

/** What a successful login hands to Passport as `info`: the token set, to be stored after login. */
export interface LoginInfo {
  /** The tokens of the login. */
  readonly tokens: TokenSet;
  /** Added by passport-oauth2 from the login transaction: where the login asked to return. */
  readonly state?: { readonly returnTo?: string | undefined } | undefined;
}

/** Shared pieces {@link synergyFlow} passes in so the strategy and routers use one of each. */
interface StrategyParts {
  config: ResolvedConfig;
  client: SynergyFlowClient;
  transactions: LoginTransactionStore;
}

/**
 * Passport strategy for SynergyFlow Pro (name `synergyflow`), built on passport-oauth2 with state
 * and PKCE S256 on every login and multi-tab login transactions. The code exchange and the
 * profile call go through {@link SynergyFlowClient} (deadline, size cap, no redirects, typed
 * errors) instead of passport-oauth2's HTTP layer. The authenticated user is the normalised
 * {@link SynergyFlowProfile}; the token set travels as `info.tokens`.
 */
export class SynergyFlowStrategy extends OAuth2Strategy {
  // Not a #private field: passport.authenticate() works on Object.create(strategy), and private
  // fields do not survive prototype inheritance.
  private readonly sfClient: SynergyFlowClient;

  /**
   * @param options the same options as {@link synergyFlow}, or the pieces it shares.
   * @throws TypeError naming the bad option.
   */
  constructor(options: SynergyFlowOptions | StrategyParts) {
    const parts = 'config' in options ? options : buildParts(options);
    const { config, client, transactions } = parts;
    if (config.authorizationURL === undefined) {
      throw new TypeError(
        `passport-synergyflow: provider "${config.provider.name}" has no browser login, so it needs no strategy.`,
      );
    }
    super(
      {
        authorizationURL: config.authorizationURL,
        tokenURL: config.tokenURL,
        clientID: config.clientID,
        clientSecret: config.clientSecret,
        callbackURL: config.callbackURL,
        // A provider with no scopes (the 001 dialect) gets no scope parameter at all.
        ...(config.scope.length > 0 ? { scope: [...config.scope] } : {}),
        scopeSeparator: ' ',
        // The types say boolean; passport-oauth2 reads the method name ('S256').
        pkce: 'S256' as unknown as boolean,
        state: true,
        store: toStateStore(transactions),
      },
      toVerifyCallback<SynergyFlowProfile>((tokens, profile, done) => done(null, profile, { tokens })),
    );
    this.name = 'synergyflow';
    this.sfClient = client;
    // passport-oauth2's own HTTP layer has no timeout, follows nothing safely and reads bodies
    // without a cap, so the code exchange is routed through the client.
    routeCodeExchange(this, (code, verifier) => client.exchangeCode(code, verifier));
  }

  /** Loads the profile through {@link SynergyFlowClient.getUser}. */
  override userProfile(accessToken: string, done: (err?: unknown, profile?: SynergyFlowProfile) => void): void {
    this.sfClient.getUser({ accessToken, obtainedAt: Date.now(), version: 0 }).then(
      (profile) => done(null, profile),
      (error: unknown) => done(error),
    );
  }

  /** Passes this package's typed errors through instead of wrapping them in `InternalOAuthError`. */
  _createOAuthError(message: string, error: unknown): unknown {
    if (isSynergyFlowError(error)) return error;
    return baseCreateOAuthError(this, message, error);
  }
}

function buildParts(options: SynergyFlowOptions): StrategyParts {
  const config = resolveOptions(options);
  return {
    config,
    client: new SynergyFlowClient(config),
    transactions: new LoginTransactionStore(config),
  };
}
