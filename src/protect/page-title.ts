import type { SynergyFlowError } from '../errors.js';
import { isProviderError } from '../error-guards.js';
import { failedInApiCall } from './provider-api.js';

const TITLES: Readonly<Record<string, string>> = {
  SF_UNAUTHORIZED: 'Please log in again',
  SF_LOGIN_REQUIRED: 'Please log in',
  SF_LOGIN_FAILED: 'Login did not complete',
  SF_FORBIDDEN: 'Not allowed',
  SF_RATE_LIMITED: 'Too many requests',
  SF_CROSS_SITE_REQUEST: 'Request refused',
  SF_TWO_FACTOR_REQUIRED: 'Second factor required',
  SF_UNAVAILABLE: 'Please try again in a moment',
  SF_PROXY_REFUSED: 'Request refused',
};

/** Provider failures where the provider did not answer usefully at all, as opposed to answering oddly. */
const UNREACHABLE = new Set(['server_error', 'unavailable', 'timeout', 'network']);

/**
 * The title of the error page: it names the party that failed. A provider failure in the app's
 * own `auth.api()` call is the provider's API, not the login; a login provider that answered,
 * but oddly (a redirect, a malformed body, a refused client), is not "unavailable".
 */
export function pageTitle(error: SynergyFlowError): string {
  if (!isProviderError(error)) return TITLES[error.code] ?? 'Error';
  const party = failedInApiCall(error) ? "The provider's API" : 'The login provider';
  return UNREACHABLE.has(error.kind) ? `${party} is unavailable` : `${party} gave an unexpected answer`;
}
