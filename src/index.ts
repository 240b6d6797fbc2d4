/**
 * passport-synergyflow: "Log in with SynergyFlow Pro" for Express, with tokens kept fresh and
 * routes protected. Start with {@link synergyFlow}.
 */
export { synergyFlow } from './synergy-flow.js';
export type { PublicConfig, SynergyFlowAuth } from './synergy-flow.js';
export { SynergyFlowStrategy } from './login/strategy.js';
export { SetupError } from './login/setup-error.js';
export type { LoginInfo } from './login/strategy.js';
export type { SynergyFlowClient } from './provider/client.js';
export type { LoginVerify, VerifyDone } from './login/verify.js';
export type { LoginOptions, LoginPrompt } from './login/login-options.js';
export type { LoginParam } from './login/login-params.js';
export type { ApiRequest } from './protect/provider-api.js';
export type {
  AntiForgeryOptions,
  AntiForgerySetting,
  AntiForgeryRouteOptions,
} from './protect/anti-forgery-setting.js';
export type { ApiProxyOptions } from './protect/api-proxy.js';
export type { ProxyRoute, ProxyMethod } from './protect/proxy-allow-list.js';
export type { SessionAnswer, SessionHealth, SessionRouterOptions } from './session/session-endpoint.js';
export { SessionTokenStore } from './tokens/token-store.js';
export type { TokenStore } from './tokens/token-store.js';
export type { TokenSet } from './tokens/token-set.js';
export type { SynergyFlowProfile } from './provider/profile.js';
export type { RequireUserOptions } from './protect/require-user.js';
export type { AccessToken, RequestAuth } from './tokens/request-auth.js';
export { isProtectedRequest, requestAuth, sessionProfile } from './protect/protected-request.js';
export type { ProtectedRequest, UserAuth } from './protect/protected-request.js';
export type { ErrorHandlerOptions } from './protect/error-handler.js';
export type { SynergyFlowOptions, ResolvedConfig } from './options.js';
export type { Hooks, HookEvent } from './hooks.js';
export type { RefreshLock } from './tokens/refresh-lock.js';
export { oauthRevocationRequest, oauthTokenRequest } from './provider/description.js';
export { synergyFlowProvider } from './provider/synergyflow.js';
export { defineProvider } from './provider/define-provider.js';
export type { ProviderSpec } from './provider/define-provider.js';
export type {
  ProviderDescription,
  Grant,
  ClientCredentials,
  ProviderRequest,
  Revocation,
} from './provider/description.js';
export {
  SynergyFlowError,
  UnauthorizedError,
  ForbiddenError,
  RateLimitError,
  LoginRequiredError,
  LoginFailedError,
  ProviderError,
  CrossSiteRequestError,
  TwoFactorRequiredError,
  TemporarilyUnavailableError,
  ProxyRefusedError,
} from './errors.js';
export {
  isSynergyFlowError,
  isUnauthorizedError,
  isForbiddenError,
  isRateLimitError,
  isLoginRequiredError,
  isLoginFailedError,
  isProviderError,
  isTwoFactorRequiredError,
  isCrossSiteRequestError,
  isTemporarilyUnavailableError,
  isProxyRefusedError,
} from './error-guards.js';
export type {
  ErrorCode,
  KnownSynergyFlowError,
  LoginRequiredReason,
  LoginFailedReason,
  ProviderErrorKind,
  UnavailableReason,
  CrossSiteReason,
  ProxyRefusedReason,
} from './errors.js';
export type { PassportInstance } from './login/passport-instance.js';
export { RedisTokenStore } from './redis/redis-token-store.js';
export type { RedisTokenStoreOptions } from './redis/redis-token-store.js';
export { RedisCoordinator, RedisRefreshLock } from './redis/redis-coordinator.js';
export type { RedisCoordinatorOptions, RedisRefreshLockOptions } from './redis/redis-coordinator.js';
export type { Coordinator } from './coordination/coordinator.js';
export { MemoryCoordinator } from './coordination/memory-coordinator.js';
export { tokenFootprint } from './session/session-state.js';
export type { TokenFootprint } from './session/session-state.js';
export { fromIoredis } from './redis/redis-client.js';
export type { RedisScriptClient, PositionalScriptClient, RedisClientLike } from './redis/redis-client.js';
export { guardSessionStore } from './redis/session-store-guard.js';
export type { SessionStoreGuardOptions } from './redis/session-store-guard.js';
export { phpOAuthProvider } from './provider/php-oauth.js';
export { synapseFiProvider } from './synapsefi/provider.js';
export type { TwoFactorAnswer } from './synapsefi/two-factor.js';
export type { AttachedUser } from './synapsefi/attach-user.js';
