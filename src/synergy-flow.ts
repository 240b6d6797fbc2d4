import type { ErrorRequestHandler, Request, RequestHandler, Router } from 'express';
import { createCallbackRouter } from './login/callback-router.js';
import { resolveLoginOptions, type LoginOptions } from './login/login-options.js';
import { createLoginRouter, startLogin } from './login/login-router.js';
import type { PassportInstance } from './login/passport-instance.js';
import { watchSessionStrategy } from './login/setup-checks.js';
import { STRATEGY_PARTS, SynergyFlowStrategy, type StrategyParts } from './login/strategy.js';
import { LoginTransactionStore } from './login/transactions.js';
import { REQUIRE_USER_OPTIONS, refuseUnknownOptions } from './option-names.js';
import { resolveOptions, type ResolvedConfig, type SynergyFlowOptions } from './options.js';
import type { AuthParts } from './parts.js';
import { createErrorHandler, type ErrorHandlerOptions } from './protect/error-handler.js';
import { api, apiGet, type ApiRequest } from './protect/provider-api.js';
import { accessTokenFor, createRequireToken, type TwoFactorAnswer } from './protect/require-token.js';
import { createRequireUser, type RequireUserOptions } from './protect/require-user.js';
import { SynergyFlowClient } from './provider/client.js';
import { isProfile, type SynergyFlowProfile } from './provider/profile.js';
import { attachUser, type AttachedUser } from './provider/synapsefi-user.js';
import { LogoutRegistry } from './session/logout-registry.js';
import { createLogoutRouter } from './session/logout-router.js';
import { ProfileReader } from './session/profile-reader.js';
import { createSaveGuard, guardSessionSave } from './session/session-guard.js';
import { reloadProfile } from './session/restore-profile.js';
import { cachedProfile, isSerializedUser, peekAuthState, type SerializedUser } from './session/session-state.js';
import { TokenPath } from './tokens/fresh-token.js';
import { RefreshCoordinator } from './tokens/refresh-coordinator.js';
import type { AccessToken } from './tokens/request-auth.js';
import { SessionTokenStore, type TokenStore } from './tokens/token-store.js';

/** The configuration as `auth.config` shows it: everything but the client secret. */
export type PublicConfig = Omit<ResolvedConfig, 'clientSecret'>;

/** What {@link synergyFlow} returns: every piece, sharing one validated configuration. */
export interface SynergyFlowAuth {
  /** The validated, frozen configuration, without the client secret. */
  readonly config: PublicConfig;
  /** The provider's API client (profile, any JSON endpoint), for the app's own calls. */
  readonly client: SynergyFlowClient;
  /** Where token sets live. */
  readonly tokenStore: TokenStore;
  /**
   * The provider's profile of the user logged in on this request's session, as last loaded (no
   * provider call), or `undefined`. For pages that only show who is logged in; protect routes
   * with `requireUser()` and read `req.synergyflow.profile` there.
   */
  profile(req: Request): SynergyFlowProfile | undefined;
  /** The Passport strategy (name `synergyflow`). */
  readonly strategy: SynergyFlowStrategy;
  /** Registers the strategy and the (de)serialisers on a Passport instance; returns it. */
  use(passport: PassportInstance): PassportInstance;
  /** Router with `GET /login`. */
  loginRouter(): Router;
  /**
   * A login route with options the app chooses: more scopes (incremental consent), `prompt:
   * 'login'` (sign in again before a sensitive action), a login hint, where to return.
   * @example app.get('/auth/reauthenticate', auth.login({ prompt: 'login', returnTo: '/settings' }));
   */
  login(options?: LoginOptions): RequestHandler;
  /** Router with `GET /callback`. */
  callbackRouter(): Router;
  /** Router with `POST /logout`. */
  logoutRouter(): Router;
  /** Middleware that guarantees `req.user` and a fresh access token; see {@link RequireUserOptions}. */
  requireUser(options?: RequireUserOptions): RequestHandler;
  /** Stores a user's refresh token (providers without a browser login, such as SynapseFi). */
  attachUser(req: Request, user: AttachedUser): Promise<void>;
  /** A fresh access token for the request, refreshed when due; answers 2FA challenges. */
  accessToken(req: Request, twoFactor?: TwoFactorAnswer): Promise<AccessToken>;
  /** Middleware: a fresh access token in `req.synergyflow`, without a profile or Passport. */
  requireToken(): RequestHandler;
  /** GET a path of the provider's API with the request's token (refreshed when due, one retry on 401). */
  apiGet(req: Request, path: string): Promise<unknown>;
  /**
   * Calls the provider's API with the request's token: any method, a JSON body, extra headers,
   * through the same token path as `apiGet` (refresh when due, one refresh and retry on a 401,
   * typed errors). `T` is what you expect the answer's JSON to be; it is not checked.
   * @example const thing = await auth.api<Thing>(req, { method: 'POST', path: '/api/things', body: { name } });
   */
  api<T = unknown>(req: Request, request: ApiRequest): Promise<T>;
  /** Error middleware answering this package's errors as HTML or JSON; others go to `next`. */
  errorHandler(options?: ErrorHandlerOptions): ErrorRequestHandler;
  /**
   * Graceful shutdown: new refreshes answer 503, refreshes in flight finish and are stored, and
   * token sets the store refused are written again, all within `timeoutMs` (default 10000).
   * Resolves with the number of token sets that could still not be stored. Call it on SIGTERM,
   * before closing the Redis client.
   */
  close(timeoutMs?: number): Promise<number>;
}

function withoutSecret(config: ResolvedConfig): PublicConfig {
  const copy: Partial<Record<keyof ResolvedConfig, unknown>> = { ...config };
  delete copy.clientSecret;
  return Object.freeze(copy) as PublicConfig;
}

/**
 * Adds "Log in with SynergyFlow Pro" to an Express app: validates the options once (a
 * `TypeError` names any bad one) and returns the strategy, the routers, `requireUser()` and the
 * error handler, all sharing one configuration, one API client and one token path.
 *
 * @example
 * const auth = synergyFlow({ clientID, clientSecret, callbackURL: 'https://app.example/auth/callback' });
 * auth.use(passport);
 * app.use('/auth', auth.loginRouter(), auth.callbackRouter(), auth.logoutRouter());
 * app.get('/dashboard', auth.requireUser(), (req, res) => res.send(req.user?.name));
 * app.use(auth.errorHandler());
 */
export function synergyFlow(options: SynergyFlowOptions): SynergyFlowAuth {
  const config = resolveOptions(options);
  const client = new SynergyFlowClient(config);
  const transactions = new LoginTransactionStore(config);
  const tokenStore = config.tokenStore ?? new SessionTokenStore();
  const refresher = new RefreshCoordinator({
    client,
    hooks: config.hooks,
    clock: config.clock,
    lock: config.refreshLock,
    lockWaitMs: config.refreshLockWaitMs,
  });
  let passport: PassportInstance | undefined;
  const parts: AuthParts = {
    config,
    client,
    transactions,
    tokenStore,
    tokens: new TokenPath(tokenStore, refresher, config),
    logouts: new LogoutRegistry(),
    profiles: new ProfileReader(config.provider),
    loginUsers: new WeakMap(),
    passport() {
      if (!passport) throw new Error('passport-synergyflow: call auth.use(passport) before mounting the routers.');
      return passport;
    },
  };
  const saveGuard = createSaveGuard(parts);
  let strategy: SynergyFlowStrategy | undefined;
  const strategyParts: StrategyParts = {
    config,
    client,
    transactions,
    loginUsers: parts.loginUsers,
    // A strategy built on this object (NestJS: `super(auth)`) is the one `use()` registers.
    adopt: (built) => void (strategy = built),
  };
  const getStrategy = (): SynergyFlowStrategy => strategy ?? new SynergyFlowStrategy(auth);
  const name = config.provider.name;
  const auth: SynergyFlowAuth = {
    config: withoutSecret(config),
    client,
    tokenStore,
    profile: (req: Request) => (req.isAuthenticated?.() ? cachedProfile(req, parts.profiles) : undefined),
    get strategy() {
      return getStrategy();
    },
    use(instance: PassportInstance) {
      passport = instance;
      watchSessionStrategy(instance);
      instance.use(getStrategy());
      instance.serializeUser((user: Express.User, done: (err: unknown, id?: unknown) => void) => {
        const profile = parts.loginUsers.get(user) ?? (isProfile(user, name) ? user : undefined);
        if (!profile) return done('pass');
        done(null, { sf: name, id: profile.id, ...(user === profile ? {} : { user }) } satisfies SerializedUser);
      });
      instance.deserializeUser(
        (req: Request, stored: unknown, done: (err: unknown, user?: Express.User | false) => void) => {
          if (!isSerializedUser(stored) || stored.sf !== name) return done('pass');
          // Every logged-in request passes here, so every one gets the stale-save protection.
          guardSessionSave(req, saveGuard);
          if (stored.user !== undefined) return done(null, stored.user as Express.User);
          const profile = cachedProfile(req, parts.profiles);
          if (profile || typeof peekAuthState(req)?.profile !== 'string') {
            return done(null, profile && profile.id === stored.id ? (profile as Express.User) : false);
          }
          reloadProfile(parts, req, stored.id).then((reloaded) => done(null, reloaded as Express.User | false), done);
        },
      );
      return instance;
    },
    loginRouter: () => createLoginRouter(parts),
    login: (loginOptions: LoginOptions = {}) => startLogin(parts, resolveLoginOptions(loginOptions, config)),
    callbackRouter: () => createCallbackRouter(parts),
    logoutRouter: () => createLogoutRouter(parts),
    requireUser: (requireOptions?: RequireUserOptions) => {
      if (requireOptions) refuseUnknownOptions(requireOptions, REQUIRE_USER_OPTIONS, 'requireUser() ');
      return createRequireUser(parts, requireOptions);
    },
    attachUser: (req: Request, user: AttachedUser) => attachUser(parts, req, user),
    accessToken: (req: Request, twoFactor?: TwoFactorAnswer) => accessTokenFor(parts, req, twoFactor),
    requireToken: () => createRequireToken(parts),
    apiGet: (req: Request, path: string) => apiGet(parts, req, path),
    api: <T>(req: Request, request: ApiRequest) => api<T>(parts, req, request),
    errorHandler: (handlerOptions?: ErrorHandlerOptions) => createErrorHandler(parts, handlerOptions),
    close: (timeoutMs = 10_000) => refresher.close(timeoutMs),
  };
  Object.defineProperty(auth, STRATEGY_PARTS, { value: strategyParts });
  return auth;
}
