import { SynergyFlowClient } from '../provider/client.js';
import { isSynergyFlowError } from '../error-guards.js';
import { resolveOptions, type ResolvedConfig, type SynergyFlowOptions } from '../options.js';
import type { SynergyFlowProfile } from '../provider/profile.js';
import type { TokenSet } from '../tokens/token-set.js';
import {
  baseCreateOAuthError,
  OAuth2Base,
  routeCodeExchange,
  toStateStore,
  toVerifyCallback,
} from '../seams/passport-oauth2.js';
import { authorizationParams } from './login-options.js';
import { LoginTransactionStore } from './transactions.js';
import { runVerify, type LoginVerify } from './verify.js';

/** What a successful login hands to Passport as `info`: the tokens and the provider's profile. */
export interface LoginInfo {
  /** The tokens of the login. */
  readonly tokens: TokenSet;
  /** The provider's profile (`user` is the app's own user when a verify function made one). */
  readonly profile: SynergyFlowProfile;
  /** Added by passport-oauth2 from the login transaction: where the login asked to return. */
  readonly state?: { readonly returnTo?: string | undefined; readonly scope?: readonly string[] } | undefined;
}

/** Shared pieces {@link synergyFlow} passes in so the strategy and routers use one of each. */
export interface StrategyParts {
  readonly config: ResolvedConfig;
  readonly client: SynergyFlowClient;
  readonly transactions: LoginTransactionStore;
  /** Users a verify function made, mapped to the profile they came from (for the serializer). */
  readonly loginUsers: WeakMap<object, SynergyFlowProfile>;
  /** Told about a strategy built on these parts, so `auth.use(passport)` registers that one. */
  adopt?(strategy: SynergyFlowStrategy): void;
}

/** Where a `synergyFlow()` result keeps the parts a strategy can be built on (NestJS: `super(auth)`). */
export const STRATEGY_PARTS: unique symbol = Symbol.for('passport-synergyflow.strategy-parts');

/**
 * What a strategy can be built on besides options: the result of `synergyFlow()`, which is one
 * (so `new SynergyFlowStrategy(auth)` shares its configuration, client and login transactions).
 * Named here rather than importing `SynergyFlowAuth`, which imports this file.
 */
export interface StrategySource {
  /** The parts the strategy shares with the routers. */
  readonly [STRATEGY_PARTS]: StrategyParts;
}

function partsOf(options: object): StrategyParts | undefined {
  return (options as Partial<Record<typeof STRATEGY_PARTS, StrategyParts>>)[STRATEGY_PARTS];
}

/**
 * Passport strategy for SynergyFlow Pro (name `synergyflow`), built on passport-oauth2 with state
 * and PKCE S256 on every login and multi-tab login transactions. The code exchange and the
 * profile call go through {@link SynergyFlowClient} (deadline, size cap, no redirects, typed
 * errors) instead of passport-oauth2's HTTP layer. The authenticated user is what `verify`
 * returns (default: the normalised {@link SynergyFlowProfile}); tokens and profile travel as
 * `info`.
 *
 * @example
 * // NestJS: validate() is the verify function; `auth` is the synergyFlow() result.
 * class SfStrategy extends PassportStrategy(SynergyFlowStrategy, 'synergyflow') {
 *   constructor(auth: SynergyFlowAuth) { super(auth); }
 *   validate(profile: SynergyFlowProfile) { return { id: profile.id, name: profile.name }; }
 * }
 */
export class SynergyFlowStrategy extends OAuth2Base {
  // Not a #private field: passport.authenticate() works on Object.create(strategy), and private
  // fields do not survive prototype inheritance.
  private readonly sfClient: SynergyFlowClient;

  /**
   * @param options the same options as {@link synergyFlow}, or its result (to share its
   *   configuration, client and login transactions).
   * @param verify maps the provider's profile to the app's user, or refuses the login; see
   *   {@link LoginVerify}. Default: the options' `verify`, else the profile itself.
   * @throws TypeError naming the bad option.
   */
  // Two signatures, not one with an optional `verify`: NestJS's PassportStrategy() reads the
  // constructor's overloads to drop the verify argument it supplies itself.
  constructor(options: SynergyFlowOptions | StrategySource);
  // eslint-disable-next-line @typescript-eslint/unified-signatures
  constructor(options: SynergyFlowOptions | StrategySource, verify: LoginVerify);
  constructor(options: SynergyFlowOptions | StrategySource, verify?: LoginVerify) {
    const parts = partsOf(options) ?? buildParts(options as SynergyFlowOptions);
    const { config, client, transactions, loginUsers } = parts;
    if (config.authorizationURL === undefined) {
      throw new TypeError(
        `passport-synergyflow: provider "${config.provider.name}" has no browser login, so it needs no strategy.`,
      );
    }
    if (verify !== undefined && typeof verify !== 'function') {
      throw new TypeError('passport-synergyflow: the strategy\'s second argument ("verify") must be a function.');
    }
    const appVerify = verify ?? config.verify;
    super(
      {
        authorizationURL: config.authorizationURL,
        tokenURL: config.tokenURL,
        clientID: config.clientID,
        // The code exchange goes through the package's client, so passport-oauth2 never needs the
        // secret; keeping it out means `auth.strategy` cannot hand it out.
        clientSecret: 'unused',
        callbackURL: config.callbackURL,
        // A provider with no scopes (the 001 dialect) gets no scope parameter at all.
        ...(config.scope.length > 0 ? { scope: [...config.scope] } : {}),
        scopeSeparator: ' ',
        pkce: 'S256',
        state: true,
        store: toStateStore(transactions),
        passReqToCallback: true,
      },
      toVerifyCallback<SynergyFlowProfile>((req, tokens, profile, done) => {
        if (!appVerify) {
          loginUsers.set(profile, profile);
          return done(null, profile, { tokens, profile });
        }
        runVerify(appVerify, profile, tokens, req).then((user) => {
          loginUsers.set(user, profile);
          done(null, user, { tokens, profile });
        }, done);
      }),
    );
    this.name = 'synergyflow';
    this.sfClient = client;
    // passport-oauth2's own HTTP layer has no timeout, follows nothing safely and reads bodies
    // without a cap, so the code exchange is routed through the client.
    routeCodeExchange(this, (code, verifier) => client.exchangeCode(code, verifier));
    parts.adopt?.(this);
  }

  /** Loads the profile through {@link SynergyFlowClient.getUser}. */
  override userProfile(accessToken: string, done: (err?: unknown, profile?: SynergyFlowProfile) => void): void {
    this.sfClient.getUser({ accessToken, obtainedAt: Date.now(), version: 0 }).then(
      (profile) => done(null, profile),
      (error: unknown) => done(error),
    );
  }

  /** Per-login authorization parameters (`prompt`, `login_hint`) from the login's options. */
  override authorizationParams(options: Record<string, unknown>): Record<string, string> {
    return authorizationParams(options);
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
    loginUsers: new WeakMap(),
  };
}
