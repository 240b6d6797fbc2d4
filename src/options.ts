import { resolveAntiForgery } from './protect/anti-forgery-setting.js';
import { scopeTokens } from './login/login-options.js';
import { LOGIN_PARAMS, loginParamList } from './login/login-params.js';
import {
  absoluteURL,
  fail,
  issuerIdentifier,
  localPath,
  redirectTarget,
  scopeList,
  coordinatorOption,
  text,
} from './option-checks.js';
import { OPTION_NAMES, resolveDeclared } from './option-declarations.js';
import type { ResolvedConfig } from './resolved-config.js';
import { refuseUnknownNestedOptions, refuseUnknownOptions } from './option-names.js';
import type { SynergyFlowOptions } from './synergy-flow-options.js';
import { synergyFlowProvider } from './provider/synergyflow.js';

export type { ResolvedConfig } from './resolved-config.js';
export type { SynergyFlowOptions } from './synergy-flow-options.js';

/** Validates options once and returns the frozen configuration. Throws `TypeError` naming the option. */
export function resolveOptions(options: SynergyFlowOptions): ResolvedConfig {
  if (typeof options !== 'object' || options === null) fail('options', 'must be an object');
  refuseUnknownOptions(options, OPTION_NAMES);
  refuseUnknownNestedOptions(options);
  // Numbers, flags and functions, checked and defaulted as OPTION_DECLARATIONS says.
  const declared = resolveDeclared(options);
  const production = declared.production ?? process.env.NODE_ENV === 'production';
  const secure = production && !declared.allowInsecureRequests;
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
  const { timeoutMs } = declared;
  const refreshLockWaitMs = declared.refreshLockWaitMs ?? timeoutMs + 1000;
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
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return Object.freeze({
    ...declared,
    production,
    refreshLockWaitMs,
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
