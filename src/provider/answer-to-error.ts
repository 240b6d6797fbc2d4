import {
  ForbiddenError,
  LoginFailedError,
  LoginRequiredError,
  ProviderError,
  type SynergyFlowError,
  UnauthorizedError,
} from '../errors.js';
import { type ProviderAnswer } from './http.js';
import { asRecord } from '../util/json.js';
import { parseRetryAfter, rateLimitErrorFrom } from './rate-limit.js';

/** Which call an answer belongs to: the meaning of a 401 depends on it. */
export type ProviderCall = 'code_exchange' | 'refresh' | 'api' | 'revocation';

/** The `error` field of an OAuth error body (RFC 6749 §5.2), when it is a short plain word. */
function oauthErrorCode(body: unknown): string | undefined {
  const error = asRecord(body)?.error;
  return typeof error === 'string' && /^[\w.-]{1,64}$/.test(error) ? error : undefined;
}

/** Reads `scope="…"` from a `WWW-Authenticate: Bearer` challenge; never throws on junk. */
export function challengeScope(header: string | null): string | undefined {
  if (!header || header.length > 4096) return undefined;
  const match = /(?:^|[\s,])scope="([\x20-\x21\x23-\x5b\x5d-\x7e]{1,512})"/i.exec(header);
  return match?.[1];
}

/**
 * The one place where provider answers become errors. Token-endpoint failures are classified by
 * the `error` field, not the status: older Laravel Passport servers answer a revoked refresh
 * token with 401 `invalid_request`, newer ones with 400 `invalid_grant`, and both mean "log in
 * again". A 401 from the API means "refresh and retry once", which the caller decides.
 *
 * A provider description may recognise its own odd answers first (`classify`).
 *
 * @returns the error for a failed answer, or `undefined` for a 2xx answer.
 */
export function answerToError(
  answer: ProviderAnswer,
  call: ProviderCall,
  now: number,
  maxRetryAfterSeconds: number,
  classify?: (answer: ProviderAnswer, call: ProviderCall) => SynergyFlowError | undefined,
): SynergyFlowError | undefined {
  const special = classify?.(answer, call);
  if (special) return special;
  const { status, headers, json } = answer;
  if (status >= 200 && status < 300) return undefined;
  if (status >= 300 && status < 400) {
    return new ProviderError('redirect', `The provider answered with a redirect (${status}); it is never followed.`, {
      providerStatus: status,
    });
  }
  if (status === 429) return rateLimitErrorFrom(headers, now, maxRetryAfterSeconds);
  if (status >= 500) {
    const unavailable = status === 503;
    return new ProviderError(
      unavailable ? 'unavailable' : 'server_error',
      `The provider failed (HTTP ${status}). Try again later.`,
      {
        providerStatus: status,
        ...(unavailable && headers.has('retry-after')
          ? { retryAfter: parseRetryAfter(headers.get('retry-after'), now, maxRetryAfterSeconds) }
          : {}),
      },
    );
  }
  if (call === 'api') {
    if (status === 401) return new UnauthorizedError();
    if (status === 403) return new ForbiddenError(challengeScope(headers.get('www-authenticate')));
    return unexpected(status, undefined, json);
  }
  const error = oauthErrorCode(json);
  // A refused revocation ends no login: it is reported, never turned into "log in again".
  if (call === 'revocation' && error !== 'invalid_client') return unexpected(status, error);
  if (error === 'invalid_client') {
    return new ProviderError(
      'invalid_client',
      'The provider refused the client credentials. Check clientID and clientSecret.',
      { providerStatus: status },
    );
  }
  const refused =
    error === 'invalid_grant' || error === 'invalid_code' || (status === 401 && error === 'invalid_request');
  if (refused || status === 401) {
    return call === 'refresh' ? new LoginRequiredError('refresh_refused') : new LoginFailedError('invalid_grant');
  }
  return unexpected(status, error);
}

function unexpected(status: number, error?: string, details?: unknown): ProviderError {
  return new ProviderError(
    'unexpected_status',
    details === undefined
      ? `The provider answered HTTP ${status}${error ? ` (${error})` : ''}. Check the client's configuration at the provider.`
      : `The provider's API answered HTTP ${status}; its answer is in the error's "details".`,
    { providerStatus: status, ...(details === undefined ? {} : { details }) },
  );
}
