import type { ErrorRequestHandler, Request, RequestHandler, Router } from 'express';
import type { PassportInstance } from './login/passport-instance.js';
import { createCallbackRouter } from './login/callback-router.js';
import { SynergyFlowClient } from './provider/client.js';
import type { AuthContext } from './parts.js';
import { createErrorHandler, type ErrorHandlerOptions } from './protect/error-handler.js';
import { createLoginRouter } from './login/login-router.js';
import { LogoutRegistry } from './session/logout-registry.js';
import { createLogoutRouter } from './session/logout-router.js';
import { resolveOptions, type ResolvedConfig, type SynergyFlowOptions } from './options.js';
import type { SynergyFlowProfile } from './provider/profile.js';
import { RefreshCoordinator } from './tokens/refresh-coordinator.js';
import { guardSessionSave } from './session/session-guard.js';
import type { RequestAuth } from './tokens/request-auth.js';
import { createRequireUser, type RequireUserOptions } from './protect/require-user.js';
import {
  accessTokenFor,
  apiGet,
  attachUser,
  createRequireToken,
  type AttachedUser,
  type TwoFactorAnswer,
} from './protect/require-token.js';
import { SynergyFlowStrategy } from './login/strategy.js';
import { SessionTokenStore, type TokenStore } from './tokens/token-store.js';
import { LoginTransactionStore } from './login/transactions.js';

/** What {@link synergyFlow} returns: every piece, sharing one validated configuration. */
export interface SynergyFlowAuth {
  /** The validated, frozen configuration. */
  readonly config: ResolvedConfig;
  /** The provider's API client (profile, any JSON endpoint), for the app's own calls. */
  readonly client: SynergyFlowClient;
  /** Where token sets live. */
  readonly tokenStore: TokenStore;
  /** The Passport strategy (name `synergyflow`). */
  readonly strategy: SynergyFlowStrategy;
  /** Registers the strategy and the (de)serialisers on a Passport instance; returns it. */
  use(passport: PassportInstance): PassportInstance;
  /** Router with `GET /login`. */
  loginRouter(): Router;
  /** Router with `GET /callback`. */
  callbackRouter(): Router;
  /** Router with `POST /logout`. */
  logoutRouter(): Router;
  /** Middleware that guarantees `req.user` and a fresh access token; see {@link RequireUserOptions}. */
  requireUser(options?: RequireUserOptions): RequestHandler;
  /** Stores a user's refresh token (providers without a browser login, such as SynapseFi). */
  attachUser(req: Request, user: AttachedUser): Promise<void>;
  /** A fresh access token for the request, refreshed when due; answers 2FA challenges. */
  accessToken(req: Request, twoFactor?: TwoFactorAnswer): Promise<RequestAuth>;
  /** Middleware: a fresh access token in `req.synergyflow`, without a profile or Passport. */
  requireToken(): RequestHandler;
  /** GET a path of the provider's API with the request's token (refreshed when due, one retry on 401). */
  apiGet(req: Request, path: string): Promise<unknown>;
  /** Error middleware answering this package's errors as HTML or JSON; others go to `next`. */
  errorHandler(options?: ErrorHandlerOptions): ErrorRequestHandler;
}

/** What the session's Passport entry holds for a SynergyFlow login: the provider and user id. */
interface SerializedUser {
  sf: string;
  id: string;
}

function isSerializedUser(value: unknown): value is SerializedUser {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SerializedUser).sf === 'string' &&
    typeof (value as SerializedUser).id === 'string'
  );
}

/**
 * Adds "Log in with SynergyFlow Pro" to an Express app: validates the options once (a
 * `TypeError` names any bad one) and returns the strategy, the routers, `requireUser()` and the
 * error handler, all sharing one configuration, one API client and one refresh coordinator.
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
  const transactions = new LoginTransactionStore(config.maxPendingLogins, config.loginTimeoutMs);
  const tokenStore = config.tokenStore ?? new SessionTokenStore();
  let passport: PassportInstance | undefined;
  const context: AuthContext = {
    config,
    client,
    transactions,
    tokenStore,
    refresher: new RefreshCoordinator(client, config.hooks, config.refreshLock),
    logouts: new LogoutRegistry(),
    passport() {
      if (!passport) throw new Error('passport-synergyflow: call auth.use(passport) before mounting the routers.');
      return passport;
    },
  };
  let strategy: SynergyFlowStrategy | undefined;
  const getStrategy = (): SynergyFlowStrategy =>
    (strategy ??= new SynergyFlowStrategy({ config, client, transactions }));
  const name = config.provider.name;
  return {
    config,
    client,
    tokenStore,
    get strategy() {
      return getStrategy();
    },
    use(instance: PassportInstance) {
      passport = instance;
      instance.use(getStrategy());
      instance.serializeUser((user: Express.User, done: (err: unknown, id?: unknown) => void) => {
        if (user.provider !== name) return done('pass');
        done(null, { sf: name, id: user.id } satisfies SerializedUser);
      });
      instance.deserializeUser(
        (req: Request, stored: unknown, done: (err: unknown, user?: Express.User | false) => void) => {
          if (!isSerializedUser(stored) || stored.sf !== name) return done('pass');
          // Every logged-in request passes here, so every one gets the stale-save protection.
          guardSessionSave(req, context.logouts);
          const profile: SynergyFlowProfile | undefined = req.session?.synergyflow?.profile;
          done(null, profile && profile.id === stored.id ? profile : false);
        },
      );
      return instance;
    },
    loginRouter: () => createLoginRouter(context),
    callbackRouter: () => createCallbackRouter(context),
    logoutRouter: () => createLogoutRouter(context),
    requireUser: (requireOptions?: RequireUserOptions) => createRequireUser(context, requireOptions),
    attachUser: (req: Request, user: AttachedUser) => attachUser(context, req, user),
    accessToken: (req: Request, twoFactor?: TwoFactorAnswer) => accessTokenFor(context, req, twoFactor),
    requireToken: () => createRequireToken(context),
    apiGet: (req: Request, path: string) => apiGet(context, req, path),
    errorHandler: (handlerOptions?: ErrorHandlerOptions) => createErrorHandler(context, handlerOptions),
  };
}
