import type { ErrorRequestHandler, Request, RequestHandler, Router } from 'express';
import type { Store } from 'express-session';
import { logoutEverywhere } from './session/logout-everywhere.js';
import { createCallbackRouter } from './login/callback-router.js';
import { resolveLoginOptions, type LoginOptions } from './login/login-options.js';
import { createLoginRouter, startLogin } from './login/login-router.js';
import type { PassportInstance } from './login/passport-instance.js';
import { RefusedCookieWatch } from './login/refused-cookies.js';
import { registerSerializers } from './login/serializers.js';
import { noteSessionRan } from './login/setup-checks.js';
import { STRATEGY_PARTS, SynergyFlowStrategy, type StrategyParts, type StrategySource } from './login/strategy.js';
import { LoginTransactionStore } from './login/transactions.js';
import { REQUIRE_USER_OPTIONS, refuseUnknownOptions } from './option-names.js';
import { resolveOptions, type ResolvedConfig, type SynergyFlowOptions } from './options.js';
import type { AuthParts } from './parts.js';
import { createErrorHandler, type ErrorHandlerOptions } from './protect/error-handler.js';
import { createAntiForgery } from './protect/anti-forgery.js';
import type { AntiForgerySetting } from './protect/anti-forgery-setting.js';
import { createApiProxy, type ApiProxyOptions } from './protect/api-proxy.js';
import { createSessionRouter, type SessionRouterOptions } from './session/session-endpoint.js';
import { api, apiGet, type ApiRequest } from './protect/provider-api.js';
import { createRequireToken } from './protect/require-token.js';
import { createRequireUser, type RequireUserOptions } from './protect/require-user.js';
import { apiClientOf, SynergyFlowClient, type ProviderApiClient } from './provider/client.js';
import type { SynergyFlowProfile } from './provider/profile.js';
import { attachUser, type AttachedUser } from './synapsefi/attach-user.js';
import type { TwoFactorAnswer } from './synapsefi/two-factor.js';
import { watchSessionStrategy } from './seams/passport.js';
import { createLogoutRouter } from './session/logout-router.js';
import { ProfileReader } from './session/profile-reader.js';
import { createSessionGuard, guardSession } from './session/session-guard.js';
import { cachedProfile, loggedInSubject } from './session/session-state.js';
import { TokenPath } from './tokens/fresh-token.js';
import { RefreshCoordinator } from './tokens/refresh-coordinator.js';
import type { AccessToken } from './tokens/request-auth.js';
import { SessionTokenStore, type TokenStore } from './tokens/token-store.js';

/** The configuration as `auth.config` shows it: everything but the client secret. */
export type PublicConfig = Omit<ResolvedConfig, 'clientSecret'>;

/** What {@link synergyFlow} returns: every piece, sharing one validated configuration. */
export interface SynergyFlowAuth extends StrategySource {
  /** The validated, frozen configuration, without the client secret. */
  readonly config: PublicConfig;
  /**
   * The provider's API client (profile, any JSON endpoint) for calls with a token set the app
   * holds. It cannot refresh: fresh tokens come from `accessToken()` and `api()`, through the
   * one refresh coordinator (its lock, its store, its rotation mark).
   */
  readonly client: ProviderApiClient;
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
  /**
   * GET a path of the provider's API with the request's token (refreshed when due, one retry on
   * 401). `T` is what you expect the answer's JSON to be; it is not checked.
   * @example const me = await auth.apiGet<{ email: string }>(req, '/api/user');
   */
  apiGet<T = unknown>(req: Request, path: string): Promise<T>;
  /**
   * Calls the provider's API with the request's token: any method, a JSON body, extra headers,
   * through the same token path as `apiGet` (refresh when due, one refresh and retry on a 401,
   * typed errors). `T` is what you expect the answer's JSON to be; it is not checked.
   * @example const thing = await auth.api<Thing>(req, { method: 'POST', path: '/api/things', body: { name } });
   */
  api<T = unknown>(req: Request, request: ApiRequest): Promise<T>;
  /**
   * Middleware refusing requests without the anti-forgery header (default `X-CSRF: 1`, or the
   * `antiForgery` option's) unless they are top-level navigations: 403 `SF_CROSS_SITE_REQUEST`.
   * @example app.use('/api', auth.antiForgery());
   */
  antiForgery(setting?: AntiForgerySetting): RequestHandler;
  /**
   * Router with `GET /session` for single-page apps: login state, user, expiries and health,
   * without a provider call and without tokens.
   * @example app.use('/auth', auth.sessionRouter());
   */
  sessionRouter(options?: SessionRouterOptions): Router;
  /**
   * Forwards allow-listed calls to the provider's API with the user's token (anti-forgery
   * header required); see {@link ApiProxyOptions}.
   * @example app.use('/bff', auth.apiProxy({ allow: [{ method: 'GET', path: '/api/things/:id' }] }));
   */
  apiProxy(options: ApiProxyOptions): RequestHandler;
  /** Error middleware answering this package's errors as HTML or JSON; others go to `next`. */
  errorHandler(options?: ErrorHandlerOptions): ErrorRequestHandler;
  /**
   * Ends every login of a user, on every instance sharing the coordinator and the session store,
   * without scanning the store: each of the user's sessions is noted as ended, its token set
   * removed and the session destroyed. Pass the request (its user: "sign out of all devices",
   * this session included) or the provider's user id (admin code: a lost laptop, a ban).
   * Resolves with the number of sessions ended.
   * @example app.post('/account/sign-out-everywhere', async (req, res) => res.json({ ended: await auth.logoutEverywhere(req) }));
   */
  logoutEverywhere(target: Request | string): Promise<number>;
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
  const tokenStore: TokenStore = config.tokenStore ?? new SessionTokenStore();
  const refresher = new RefreshCoordinator({
    client,
    hooks: config.hooks,
    clock: config.clock,
    lock: config.coordinator,
    lockWaitMs: config.refreshLockWaitMs,
  });
  let passport: PassportInstance | undefined;
  // The session store, as the requests this instance serves show it (for logoutEverywhere).
  let sessionStore: Store | undefined;
  const sessionGuard = createSessionGuard({ coordinator: config.coordinator, tokenStore });
  const parts: AuthParts = {
    config,
    client,
    transactions,
    tokenStore,
    tokens: new TokenPath(tokenStore, refresher, config),
    coordinator: config.coordinator,
    profiles: new ProfileReader(config.provider),
    loginUsers: new WeakMap(),
    refusedCookies: new RefusedCookieWatch(),
    passport() {
      if (!passport) throw new Error('passport-synergyflow: call auth.use(passport) before mounting the routers.');
      return passport;
    },
    guardSession: (req: Request) => guardSession(req, sessionGuard),
  };
  let strategy: SynergyFlowStrategy | undefined;
  const strategyParts: StrategyParts = {
    config,
    client,
    transactions,
    loginUsers: parts.loginUsers,
    // A strategy built on this object (NestJS: `super(auth)`) is the one `use()` registers.
    adopt: (built) => void (strategy = built),
  };
  const getStrategy = (): SynergyFlowStrategy =>
    strategy ?? new SynergyFlowStrategy({ [STRATEGY_PARTS]: strategyParts });
  const auth: Omit<SynergyFlowAuth, typeof STRATEGY_PARTS> = {
    config: withoutSecret(config),
    client: apiClientOf(client),
    tokenStore,
    profile: (req: Request) =>
      req.isAuthenticated?.() && loggedInSubject(req) !== undefined ? cachedProfile(req, parts.profiles) : undefined,
    get strategy() {
      return getStrategy();
    },
    use(instance: PassportInstance) {
      passport = instance;
      // Every request passport.session() sees: a session holding a login gets its writes guarded,
      // and its token set kept as long as the session (a store call only when it falls due).
      watchSessionStrategy(instance, (req) => {
        sessionStore ??= req.sessionStore;
        if (loggedInSubject(req) === undefined) return noteSessionRan(req);
        parts.guardSession(req);
        return tokenStore.keepAlive?.(req);
      });
      instance.use(getStrategy());
      registerSerializers(instance, parts);
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
    accessToken: (req: Request, twoFactor?: TwoFactorAnswer) => parts.tokens.accessToken(req, twoFactor),
    requireToken: () => createRequireToken(parts),
    apiGet: <T>(req: Request, path: string) => apiGet<T>(parts, req, path),
    api: <T>(req: Request, request: ApiRequest) => api<T>(parts, req, request),
    errorHandler: (handlerOptions?: ErrorHandlerOptions) => createErrorHandler(parts, handlerOptions),
    logoutEverywhere: (target: Request | string) => logoutEverywhere(parts, target, () => sessionStore),
    antiForgery: (setting?: AntiForgerySetting) => createAntiForgery(parts, setting),
    sessionRouter: (routerOptions?: SessionRouterOptions) => createSessionRouter(parts, routerOptions),
    apiProxy: (proxyOptions: ApiProxyOptions) => createApiProxy(parts, proxyOptions),
    close: (timeoutMs = 10_000) => refresher.close(timeoutMs),
  };
  // Not enumerable: a spread or a log of `auth` does not carry the parts along.
  return Object.defineProperty(auth, STRATEGY_PARTS, { value: strategyParts }) as SynergyFlowAuth;
}
