/**
 * Type guards for this package's errors. They match on `code` (and a brand), not `instanceof`, so
 * they work across two copies of the package in one process.
 */
import {
  BRAND,
  ErrorCodes,
  type ErrorCode,
  type KnownSynergyFlowError,
  type CrossSiteRequestError,
  type ForbiddenError,
  type LoginFailedError,
  type LoginRequiredError,
  type ProviderError,
  type RateLimitError,
  type TemporarilyUnavailableError,
  type ProxyRefusedError,
  type TwoFactorRequiredError,
  type UnauthorizedError,
} from './errors.js';

function hasCode(error: unknown, code: ErrorCode): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === code &&
    typeof (error as { status?: unknown }).status === 'number'
  );
}

/** True for any error of this package, from any copy of it; narrow further by `code`. */
export function isSynergyFlowError(error: unknown): error is KnownSynergyFlowError {
  return (
    typeof error === 'object' &&
    error !== null &&
    ((error as Record<symbol, unknown>)[BRAND] === true ||
      Object.values(ErrorCodes).some((code) => hasCode(error, code)))
  );
}
/** True for an {@link UnauthorizedError}, from any copy of the package. */
export const isUnauthorizedError = (e: unknown): e is UnauthorizedError => hasCode(e, ErrorCodes.UNAUTHORIZED);
/** True for a {@link ForbiddenError}, from any copy of the package. */
export const isForbiddenError = (e: unknown): e is ForbiddenError => hasCode(e, ErrorCodes.FORBIDDEN);
/** True for a {@link RateLimitError}, from any copy of the package. */
export const isRateLimitError = (e: unknown): e is RateLimitError => hasCode(e, ErrorCodes.RATE_LIMITED);
/** True for a {@link LoginRequiredError}, from any copy of the package. */
export const isLoginRequiredError = (e: unknown): e is LoginRequiredError => hasCode(e, ErrorCodes.LOGIN_REQUIRED);
/** True for a {@link LoginFailedError}, from any copy of the package. */
export const isLoginFailedError = (e: unknown): e is LoginFailedError => hasCode(e, ErrorCodes.LOGIN_FAILED);
/** True for a {@link ProviderError}, from any copy of the package. */
export const isProviderError = (e: unknown): e is ProviderError => hasCode(e, ErrorCodes.PROVIDER);
/** True for a {@link TwoFactorRequiredError}, from any copy of the package. */
export const isTwoFactorRequiredError = (e: unknown): e is TwoFactorRequiredError =>
  hasCode(e, ErrorCodes.TWO_FACTOR_REQUIRED);
/** True for a {@link CrossSiteRequestError}, from any copy of the package. */
export const isCrossSiteRequestError = (e: unknown): e is CrossSiteRequestError => hasCode(e, ErrorCodes.CROSS_SITE);
/** True for a {@link TemporarilyUnavailableError}, from any copy of the package. */
export const isTemporarilyUnavailableError = (e: unknown): e is TemporarilyUnavailableError =>
  hasCode(e, ErrorCodes.UNAVAILABLE);
/** True for a {@link ProxyRefusedError}, from any copy of the package. */
export const isProxyRefusedError = (e: unknown): e is ProxyRefusedError => hasCode(e, ErrorCodes.PROXY_REFUSED);
