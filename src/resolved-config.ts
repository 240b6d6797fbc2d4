import type { Coordinator } from './coordination/coordinator.js';
import type { Hooks } from './hooks.js';
import type { LoginParam } from './login/login-params.js';
import type { LoginVerify } from './login/verify.js';
import type { DeclaredConfig } from './option-declarations.js';
import type { AntiForgeryCheck } from './protect/anti-forgery-setting.js';
import type { ProviderDescription } from './provider/description.js';
import type { TokenStore } from './tokens/token-store.js';

/**
 * The validated, fully defaulted, frozen configuration every piece reads (`auth.config` is the
 * same without the client secret). Each field is the option of the same name after its default;
 * durations are in milliseconds here (`…Ms`) where the options take seconds. The numbers and
 * flags come from their declarations (`DeclaredConfig`); the fields below are the options
 * `resolveOptions` resolves by hand.
 */
export interface ResolvedConfig extends DeclaredConfig {
  /** `clientID`. */
  readonly clientID: string;
  /** `clientSecret` (absent from `auth.config`). */
  readonly clientSecret: string;
  /** `callbackURL`; a loopback stand-in for providers without a browser login. */
  readonly callbackURL: string;
  /** `provider`: the dialect spoken. */
  readonly provider: ProviderDescription;
  /** The provider's base URL, without a trailing slash. */
  readonly baseURL: string;
  /** `issuer`; `undefined`: a callback's `iss` is optional, and checked against the provider's origin. */
  readonly issuer: string | undefined;
  /** The authorization endpoint; `undefined` for providers without a browser login. */
  readonly authorizationURL: string | undefined;
  /** The token endpoint. */
  readonly tokenURL: string;
  /** The profile endpoint; `undefined` when the provider has none. */
  readonly userURL: string | undefined;
  /** The revocation endpoint (RFC 7009); `undefined` when the provider describes none. */
  readonly revocationURL: string | undefined;
  /** `scope`: the scopes every login asks for. */
  readonly scope: readonly string[];
  /** `routes`: the login, callback and logout paths inside their routers. */
  readonly routes: { readonly login: string; readonly callback: string; readonly logout: string };
  /** `loginURL`: where browsers are sent when they must log in. */
  readonly loginURL: string;
  /** `successRedirect`. */
  readonly successRedirect: string;
  /** `failureRedirect`; `undefined`: failed logins get an error page. */
  readonly failureRedirect: string | undefined;
  /** `logoutRedirect`. */
  readonly logoutRedirect: string;
  /** `verify`; `undefined`: `req.user` is the profile. */
  readonly verify: LoginVerify | undefined;
  /** `loginParams`: what `/login?…` may set. */
  readonly loginParams: readonly LoginParam[];
  /** `extraScopes`. */
  readonly extraScopes: readonly string[];
  /** `trustedOrigins`, as origins (`https://app.example`). */
  readonly trustedOrigins: readonly string[];
  /** `antiForgery`, resolved (header name in lower case); `undefined`: none required by default. */
  readonly antiForgery: AntiForgeryCheck | undefined;
  /** `hooks`. */
  readonly hooks: Hooks;
  /** `fetch`. */
  readonly fetch: typeof globalThis.fetch;
  /** `tokenStore`; `undefined`: the default `SessionTokenStore`. */
  readonly tokenStore: TokenStore | undefined;
  /** `coordinator`; by default a `MemoryCoordinator` of this instance's own. */
  readonly coordinator: Coordinator;
  /** `clock`. */
  readonly clock: () => number;
}
