/**
 * passport-synergyflow: "Log in with SynergyFlow Pro" for Express, with tokens kept fresh and
 * routes protected. Start with {@link synergyFlow}.
 */
export { synergyFlow } from './synergy-flow.js';
export type { SynergyFlowAuth } from './synergy-flow.js';
export { SynergyFlowStrategy } from './strategy.js';
export type { LoginInfo } from './strategy.js';
export { SynergyFlowClient } from './client.js';
export { SessionTokenStore } from './token-store.js';
export type { TokenStore } from './token-store.js';
export type { TokenSet } from './token-set.js';
export type { SynergyFlowProfile } from './profile.js';
export type { RequireUserOptions } from './require-user.js';
export type { RequestAuth } from './request-auth.js';
export type { ErrorHandlerOptions } from './error-handler.js';
export { escapeHtml } from './error-handler.js';
export type { SynergyFlowOptions, ResolvedConfig } from './options.js';
export type { Hooks, HookEvent } from './hooks.js';
export type { RefreshLock } from './refresh-lock.js';
export { synergyFlowProvider, oauthTokenRequest } from './provider.js';
export type { ProviderDescription, Grant, ClientCredentials, ProviderRequest } from './provider.js';
export { parseRetryAfter } from './rate-limit.js';
export { safeReturnTo } from './return-to.js';
export {
  ErrorCodes,
  SynergyFlowError,
  UnauthorizedError,
  ForbiddenError,
  RateLimitError,
  LoginRequiredError,
  LoginFailedError,
  ProviderError,
  CrossSiteRequestError,
  TwoFactorRequiredError,
  isSynergyFlowError,
  isUnauthorizedError,
  isForbiddenError,
  isRateLimitError,
  isLoginRequiredError,
  isLoginFailedError,
  isProviderError,
  isTwoFactorRequiredError,
} from './errors.js';
export type {
  ErrorCode,
  KnownSynergyFlowError,
  LoginRequiredReason,
  LoginFailedReason,
  ProviderErrorKind,
} from './errors.js';
export type { PassportInstance } from './passport-instance.js';
export { RedisTokenStore } from './redis-token-store.js';
export type { RedisTokenStoreOptions } from './redis-token-store.js';
export { RedisRefreshLock } from './redis-refresh-lock.js';
export type { RedisRefreshLockOptions } from './redis-refresh-lock.js';
export type { RedisScriptClient } from './redis-client.js';
export { TokenCipher } from './token-cipher.js';
export { phpOAuthProvider, parsePhpOAuthProfile } from './providers/php-oauth.js';
export { synapseFiProvider } from './providers/synapsefi.js';
export type { AttachedUser, TwoFactorAnswer } from './token-lifecycle.js';
