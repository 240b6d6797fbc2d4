import { resolveAntiForgery } from './protect/anti-forgery-setting.js';
import { scopeTokens } from './login/login-options.js';
import { LOGIN_PARAMS, loginParamList } from './login/login-params.js';
import {
  absoluteURL,
  count,
  fail,
  issuerIdentifier,
  localPath,
  redirectTarget,
  scopeList,
  coordinatorOption,
  lifetime,
  text,
} from './option-checks.js';
import type { ResolvedConfig } from './resolved-config.js';
import { refuseUnknownNestedOptions, refuseUnknownOptions } from './option-names.js';
import type { SynergyFlowOptions } from './synergy-flow-options.js';
import { synergyFlowProvider } from './provider/synergyflow.js';

export type { ResolvedConfig } from './resolved-config.js';
export type { SynergyFlowOptions } from './synergy-flow-options.js';

/** Every option's name, and nothing else: the compiler checks this list against the interface. */
const OPTION_NAMES = Object.keys({
  clientID: true,
  clientSecret: true,
  callbackURL: true,
  baseURL: true,
  provider: true,
  issuer: true,
  scope: true,
  routes: true,
  loginURL: true,
  successRedirect: true,
  failureRedirect: true,
  logoutRedirect: true,
  verify: true,
  loginParams: true,
  extraScopes: true,
  refreshSkewSeconds: true,
  profileTtlSeconds: true,
  timeoutSeconds: true,
  requestTimeoutSeconds: true,
  refreshLockWaitSeconds: true,
  maxBodyBytes: true,
  maxRetryAfterSeconds: true,
  maxPendingLogins: true,
  loginTimeoutSeconds: true,
  tokenStore: true,
  coordinator: true,
  refreshLock: true,
  idleTimeoutSeconds: true,
  absoluteTimeoutSeconds: true,
  antiForgery: true,
  revocationWaitSeconds: true,
  silentRenewal: true,
  trustedOrigins: true,
  hooks: true,
  fetch: true,
  allowInsecureRequests: true,
  production: true,
  clock: true,
} satisfies Record<keyof SynergyFlowOptions, true>);

/** Validates options once and returns the frozen configuration. Throws `TypeError` naming the option. */
export function resolveOptions(options: SynergyFlowOptions): ResolvedConfig {
  if (typeof options !== 'object' || options === null) fail('options', 'must be an object');
  refuseUnknownOptions(options, OPTION_NAMES);
  refuseUnknownNestedOptions(options);
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const secure = production && options.allowInsecureRequests !== true;
  const provider = options.provider ?? synergyFlowProvider;
  const clientID = text(options.clientID, 'clientID');
  const clientSecret = text(options.clientSecret, 'clientSecret');
  // Providers without a browser login have no callback; loopback stands in for derived defaults.
  const browserLogin = provider.authorizationPath !== undefined;
  const callback = browserLogin
    ? absoluteURL(text(options.callbackURL, 'callbackURL'), 'callbackURL', secure)
    : new URL(options.callbackURL ?? 'http://localhost/auth/callback');
  const base = absoluteURL(options.baseURL ?? provider.baseURL, 'baseURL', secure);
  const endpoint = (path: string): string => new URL(base.pathname.replace(/\/$/, '') + path, base.origin).toString();
  const routes = {
    login: localPath(options.routes?.login, 'routes.login', '/login'),
    callback: localPath(options.routes?.callback, 'routes.callback', '/callback'),
    logout: localPath(options.routes?.logout, 'routes.logout', '/logout'),
  };
  const callbackDir = callback.pathname.replace(/\/[^/]*$/, '');
  const trustedOrigins = [callback.origin, ...(options.trustedOrigins ?? [])].map((origin, i) =>
    i === 0 ? origin : absoluteURL(text(origin, 'trustedOrigins'), 'trustedOrigins', secure).origin,
  );
  if (options.fetch !== undefined && typeof options.fetch !== 'function') fail('fetch', 'must be a function');
  if (options.clock !== undefined && typeof options.clock !== 'function') fail('clock', 'must be a function');
  const timeoutMs = count(options.timeoutSeconds, 'timeoutSeconds', 10, 0.1, 120) * 1000;
  const refreshLockWaitMs =
    count(options.refreshLockWaitSeconds, 'refreshLockWaitSeconds', timeoutMs / 1000 + 1, 0, 600) * 1000;
  if (refreshLockWaitMs < timeoutMs) {
    fail('refreshLockWaitSeconds', "must be at least timeoutSeconds, so a sibling's refresh can finish");
  }
  const coordinator = coordinatorOption(options);
  const leaseMs = coordinator.leaseMs;
  if (leaseMs !== undefined && leaseMs <= timeoutMs) {
    fail(
      'coordinator',
      `must hold its lease longer than timeoutSeconds (lease ${leaseMs / 1000} s, timeout ${timeoutMs / 1000} s); raise lockTtlSeconds`,
    );
  }
  if (options.verify !== undefined && typeof options.verify !== 'function') fail('verify', 'must be a function');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return Object.freeze({
    clientID,
    clientSecret,
    callbackURL: callback.toString(),
    provider,
    baseURL: base.toString().replace(/\/$/, ''),
    issuer: issuerIdentifier(options.issuer, secure),
    authorizationURL: provider.authorizationPath === undefined ? undefined : endpoint(provider.authorizationPath),
    tokenURL: endpoint(provider.tokenPath),
    userURL: provider.userPath === undefined ? undefined : endpoint(provider.userPath),
    revocationURL: provider.revocationPath === undefined ? undefined : endpoint(provider.revocationPath),
    scope: scopeList(options.scope, provider.defaultScope),
    routes: Object.freeze(routes),
    loginURL: localPath(options.loginURL, 'loginURL', `${callbackDir}${routes.login}`),
    successRedirect: redirectTarget(options.successRedirect, 'successRedirect', '/', trustedOrigins),
    failureRedirect:
      options.failureRedirect === undefined ? undefined : localPath(options.failureRedirect, 'failureRedirect', '/'),
    logoutRedirect: redirectTarget(options.logoutRedirect, 'logoutRedirect', '/', trustedOrigins),
    verify: options.verify,
    loginParams:
      loginParamList(options.loginParams) ??
      fail('loginParams', `must be a list of ${LOGIN_PARAMS.map((n) => `"${n}"`).join(', ')}`),
    extraScopes:
      options.extraScopes === undefined
        ? Object.freeze([])
        : (scopeTokens(options.extraScopes) ?? fail('extraScopes', 'must be a non-empty list of scope tokens')),
    refreshSkewMs: count(options.refreshSkewSeconds, 'refreshSkewSeconds', 60, 0, 86_400) * 1000,
    profileTtlMs: count(options.profileTtlSeconds, 'profileTtlSeconds', 300, 0, 86_400) * 1000,
    idleTimeoutMs: lifetime(options.idleTimeoutSeconds, 'idleTimeoutSeconds'),
    absoluteTimeoutMs: lifetime(options.absoluteTimeoutSeconds, 'absoluteTimeoutSeconds'),
    timeoutMs,
    requestTimeoutMs: count(options.requestTimeoutSeconds, 'requestTimeoutSeconds', 15, 0.1, 600) * 1000,
    refreshLockWaitMs,
    maxBodyBytes: count(options.maxBodyBytes, 'maxBodyBytes', 1 << 20, 1024, 64 << 20),
    maxRetryAfterSeconds: count(options.maxRetryAfterSeconds, 'maxRetryAfterSeconds', 300, 1, 86_400),
    maxPendingLogins: count(options.maxPendingLogins, 'maxPendingLogins', 10, 1, 100),
    loginTimeoutMs: count(options.loginTimeoutSeconds, 'loginTimeoutSeconds', 600, 1, 3600) * 1000,
    revocationWaitMs: count(options.revocationWaitSeconds, 'revocationWaitSeconds', 1, 0, 120) * 1000,
    silentRenewal:
      options.silentRenewal === undefined || typeof options.silentRenewal === 'boolean'
        ? options.silentRenewal === true
        : fail('silentRenewal', 'must be true or false'),
    trustedOrigins: Object.freeze(trustedOrigins),
    antiForgery: resolveAntiForgery(options.antiForgery, 'antiForgery', undefined),
    hooks: Object.freeze({ ...options.hooks }),
    // Bound so that a method-less call does not lose its receiver.
    fetch: (input: RequestInfo | URL, init?: RequestInit) => fetchImpl(input, init),
    tokenStore: options.tokenStore,
    coordinator,
    clock: options.clock ?? Date.now,
  });
}
