import type { Coordinator } from './coordination/coordinator.js';
import type { Hooks } from './hooks.js';
import type { LoginParam } from './login/login-params.js';
import type { LoginVerify } from './login/verify.js';
import type { AntiForgerySetting } from './protect/anti-forgery-setting.js';
import type { ProviderDescription } from './provider/description.js';
import type { TokenStore } from './tokens/token-store.js';

/**
 * Options of {@link synergyFlow}. Only `clientID` and `clientSecret` are required, and
 * `callbackURL` for providers with a browser login (SynergyFlow Pro, the PHP dialect). Durations
 * are in seconds and say so in their names. The README's options table is checked against this
 * interface, the `@default` tags and the declarations of `option-declarations.ts`, where each
 * option's kind, default and range live (adding an option: here, there, and the README).
 */
export interface SynergyFlowOptions {
  /** The client id issued by the provider. */
  clientID: string;
  /** The client secret issued by the provider. Never logged, never sent to a browser. */
  clientSecret: string;
  /**
   * Absolute URL of the callback route, exactly as registered at the provider. Not needed (and
   * ignored) for providers without a browser login.
   */
  callbackURL?: string;
  /**
   * Provider origin; overrides the description's (SynergyFlow Pro: `https://testapp2.glances.com`).
   * @default `https://testapp2.glances.com`
   */
  baseURL?: string;
  /**
   * Which provider dialect to speak: `synergyFlowProvider`, `phpOAuthProvider`,
   * `synapseFiProvider` or your own `ProviderDescription`.
   * @default `synergyFlowProvider`
   */
  provider?: ProviderDescription;
  /**
   * The authorization server's issuer identifier, for servers that send `iss` on the callback
   * (RFC 9207; Laravel Passport, and so SynergyFlow Pro, does not). When set, every callback
   * must carry `iss` equal to it, which defeats mix-up attacks between several servers. Default:
   * none, and a callback's `iss`, when present, must be the provider's origin.
   * @default none
   */
  issuer?: string;
  /**
   * Scopes to request, as a list or a space-separated string. Default: the provider's.
   * @default `['user:read']`
   */
  scope?: string | readonly string[];
  /**
   * Paths of the routes inside their routers.
   * @default `/login`, `/callback`, `/logout`
   */
  routes?: { login?: string; callback?: string; logout?: string };
  /**
   * Absolute path browsers are sent to when they must log in. Default: the callback URL's
   * directory plus the login route (`/auth/callback` → `/auth/login`).
   * @default callback's directory + `/login`
   */
  loginURL?: string;
  /**
   * Where a login lands when it carried no `returnTo`: a path, or a URL on a trusted origin (a
   * single-page app on its own origin).
   * @default `/`
   */
  successRedirect?: string;
  /**
   * Where a failed login sends browsers, with `?error=<reason>`.
   * @default none (error page)
   */
  failureRedirect?: string;
  /**
   * Where a browser's logout lands: a path, or a URL on a trusted origin.
   * @default `/`
   */
  logoutRedirect?: string;
  /**
   * Maps the provider's profile to your own user at login, or refuses the login (return
   * `false`); `req.user` is then your user and the profile is on `req.synergyflow.profile`.
   * Default: `req.user` is the profile. See {@link LoginVerify}.
   * @default none (`req.user` is the profile)
   */
  verify?: LoginVerify;
  /**
   * Authorization parameters a browser may set on `/login?…` for one login: `'prompt'`
   * (`login` or `consent`), `'login_hint'`, `'scope'` (only scopes listed in `scope` or
   * `extraScopes`). Without it, the query cannot change the authorization request.
   * @default none
   */
  loginParams?: readonly LoginParam[];
  /**
   * Scopes a single login may add beyond `scope` (incremental consent through `/login?scope=`).
   * @default none
   */
  extraScopes?: string | readonly string[];
  /**
   * Refresh this many seconds before the access token expires.
   * @default `60`
   */
  refreshSkewSeconds?: number;
  /**
   * How long a loaded profile is reused, in seconds; 0 loads it on every request.
   * @default `300`
   */
  profileTtlSeconds?: number;
  /**
   * Ends a login not used (no `requireUser()` request) for this long, in seconds, on every
   * instance (`LoginRequiredError` reason `idle_timeout`).
   * @default none
   */
  idleTimeoutSeconds?: number;
  /**
   * Ends a login this long after it began, however active, in seconds (`LoginRequiredError`
   * reason `absolute_timeout`).
   * @default none
   */
  absoluteTimeoutSeconds?: number;
  /**
   * Deadline of every provider call, in seconds.
   * @default `10`
   */
  timeoutSeconds?: number;
  /**
   * The whole time a request may spend getting a token (waiting for another instance's refresh,
   * refreshing, retrying after a 401), in seconds. Past it the request gets 503 with
   * `Retry-After`; a refresh already sent still finishes and its tokens are kept.
   * @default `15`
   */
  requestTimeoutSeconds?: number;
  /**
   * How long a request waits for another instance's refresh lock, in seconds; at least
   * `timeoutSeconds`, so a sibling's refresh can finish.
   * @default `timeoutSeconds` + 1
   */
  refreshLockWaitSeconds?: number;
  /**
   * Largest provider answer read, in bytes.
   * @default `1048576`
   */
  maxBodyBytes?: number;
  /**
   * Longest `Retry-After` honoured, in seconds; longer ones are capped.
   * @default `300`
   */
  maxRetryAfterSeconds?: number;
  /**
   * Pending logins kept per session; the oldest is dropped beyond it.
   * @default `10`
   */
  maxPendingLogins?: number;
  /**
   * How long a started login stays valid, in seconds.
   * @default `600`
   */
  loginTimeoutSeconds?: number;
  /**
   * How long logout waits for the provider to revoke the login's tokens, in seconds, before it
   * answers anyway (the revocation goes on, within `timeoutSeconds`). Only for providers that
   * describe a revocation endpoint (`revocationPath`). 0: never wait.
   * @default `1`
   */
  revocationWaitSeconds?: number;
  /**
   * When a browser's login has ended (its refresh token expired or was refused), try the login
   * without a page first (`prompt=none`): a user still signed in at the provider comes back
   * logged in; otherwise the normal login follows. At most one attempt per browser every
   * `loginTimeoutSeconds`.
   * @default `false`
   */
  silentRenewal?: boolean;
  /**
   * Where token sets live (see `TokenStore`).
   * @default `SessionTokenStore`
   */
  tokenStore?: TokenStore;
  /**
   * What the app's instances share to coordinate logins: the refresh lock, one code redemption
   * per login, and the notes that keep a logout final. Several instances need a shared one
   * (`new RedisCoordinator({ client })`).
   * @default `MemoryCoordinator`
   */
  coordinator?: Coordinator;
  /**
   * The former name of `coordinator`.
   * @deprecated Use `coordinator`.
   * @default none
   */
  refreshLock?: Coordinator;
  /**
   * Origins of your own front ends besides the callback URL's (a single-page app on
   * `https://app.example` when the API is `https://api.example`): they may POST logout with
   * `fetch`, and `successRedirect`, `logoutRedirect` and `returnTo` may send browsers there.
   * https only in production (localhost excepted).
   * @default callback's origin
   */
  trustedOrigins?: readonly string[];
  /**
   * Require an anti-forgery header (`true`: `X-CSRF: 1`, as Duende BFF; or `{ header, value }`)
   * on every request to `requireUser()`, `sessionRouter()` and `apiProxy()` routes that is not a
   * top-level navigation; without it the answer is 403 `SF_CROSS_SITE_REQUEST` before any token
   * work. For single-page apps (`apiProxy()` requires `X-CSRF: 1` anyway).
   * @default none
   */
  antiForgery?: AntiForgerySetting;
  /**
   * Observability hooks, each called with the outcome and the duration.
   * @default none
   */
  hooks?: Hooks;
  /**
   * The `fetch` used for every provider call.
   * @default `globalThis.fetch`
   */
  fetch?: typeof globalThis.fetch;
  /**
   * Allows plain-http provider and callback URLs outside localhost in production. Only for
   * test rigs: tokens and the client secret then travel unencrypted.
   * @default `false`
   */
  allowInsecureRequests?: boolean;
  /**
   * Treat the process as production (stricter URL checks).
   * @default `NODE_ENV === 'production'`
   */
  production?: boolean;
  /**
   * The clock, in milliseconds since the epoch. Tests pass a fake one (with
   * the emulator's `clock` option) to move token lifetimes forward without waiting.
   * @default `Date.now`
   */
  clock?: () => number;
}
