import { logger } from './log.js';
import { recordHookEvent } from './telemetry/metrics.js';

/** What every hook event carries: the outcome and how long the step took. */
export interface HookEvent {
  /** `'success'` or the error code of the failure. */
  readonly outcome: 'success' | 'joined' | 'adopted' | string;
  /** Milliseconds the step took. */
  readonly durationMs: number;
  /** The provider's user id, when known. Never a token. */
  readonly userId?: string | undefined;
  /** After a refresh: how many more refreshes the refresh token allows, for providers that count. */
  readonly refreshUsesLeft?: number | undefined;
}

/**
 * Observability hooks, for counters and traces (each event has an outcome and a duration, which
 * maps onto an OpenTelemetry span). A hook that throws is ignored: observability never breaks a
 * login.
 */
export interface Hooks {
  /** A login completed or failed at the callback. */
  onLogin?(event: HookEvent): void;
  /** Tokens were refreshed (`success`), or a sibling's refresh was joined or adopted. */
  onRefresh?(event: HookEvent): void;
  /** A refresh failed; `outcome` is the error code. */
  onRefreshFailed?(event: HookEvent): void;
  /** The provider rate-limited a call; `retryAfter` is in seconds. */
  onRateLimited?(event: HookEvent & { readonly retryAfter: number }): void;
  /** A user logged out. */
  onLogout?(event: HookEvent): void;
  /**
   * Logout revoked the login's tokens at the provider (RFC 7009, only when the provider
   * describes a revocation endpoint): `success`, or `failed` with the first failure's `reason`
   * (`timeout`, `server_error`, `network`…). Reported when the revocation ends, which may be
   * after the logout answered.
   */
  onRevoke?(event: HookEvent & { readonly outcome: 'success' | 'failed'; readonly reason?: string | undefined }): void;
  /**
   * Storing refreshed tokens failed (`kept`: they are served from memory and written again) or
   * a kept set was finally stored (`stored_late`). `unsaved` counts the sets still waiting.
   */
  onTokenStoreFailed?(event: HookEvent & { readonly unsaved: number }): void;
  /**
   * A due refresh failed for a passing reason (provider down, rate limit, lock busy) while the
   * access token was still valid, so the request went on with it (`outcome` is the error code).
   */
  onStaleTokenServed?(event: HookEvent): void;
}

const hookLog = logger('hooks');
const loginLog = logger('callback');

/** Records the event's metrics (when OpenTelemetry is there) and calls the hook, swallowing (and logging) anything it throws. */
export function emit<K extends keyof Hooks>(hooks: Hooks, name: K, event: Parameters<NonNullable<Hooks[K]>>[0]): void {
  recordHookEvent(name, event);
  // One line per callback outcome, success included, under the request's correlation id.
  if (name === 'onLogin') loginLog('login %s in %d ms', event.outcome, Math.round(event.durationMs));
  const hook = hooks[name] as ((e: typeof event) => void) | undefined;
  if (!hook) return;
  try {
    hook(event);
  } catch (error) {
    hookLog('hook %s threw: %s', name, error instanceof Error ? error.message : 'non-error');
  }
}
