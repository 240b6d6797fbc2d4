import createDebug from 'debug';

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
}

const debugBase = createDebug('passport-synergyflow');

/** A `debug` logger under the `passport-synergyflow:` namespace. Never give it a token. */
export function logger(area: string): createDebug.Debugger {
  return debugBase.extend(area);
}

const hookLog = logger('hooks');

/** Calls a hook, swallowing (and logging) anything it throws. */
export function emit<K extends keyof Hooks>(hooks: Hooks, name: K, event: Parameters<NonNullable<Hooks[K]>>[0]): void {
  const hook = hooks[name] as ((e: typeof event) => void) | undefined;
  if (!hook) return;
  try {
    hook(event);
  } catch (error) {
    hookLog('hook %s threw: %s', name, error instanceof Error ? error.message : 'non-error');
  }
}
