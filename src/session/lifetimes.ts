import type { Request } from 'express';
import type { ResolvedConfig } from '../options.js';
import { loginTimes, stampLogin } from './session-state.js';

/** Why a login's own lifetime ended it. */
export type LifetimeEnd = 'idle_timeout' | 'absolute_timeout';

/** How often, at most, a login's last use is written (each write saves the session). */
const SEEN_GRANULARITY_MS = 60_000;

/**
 * Starts the lifetimes the configuration asks for on a login just made: when it began (for the
 * absolute lifetime) and when it was last used (for the idle one). Nothing is kept without them.
 */
export function startLifetimes(req: Request, config: ResolvedConfig): void {
  const now = config.clock();
  if (config.absoluteTimeoutMs !== undefined) stampLogin(req, 'at', now);
  if (config.idleTimeoutMs !== undefined) stampLogin(req, 'seen', now);
}

/** Whether the request's login has outlived one of its lifetimes, without counting this request as a use. */
export function lifetimeEnded(req: Request, config: ResolvedConfig): LifetimeEnd | undefined {
  const now = config.clock();
  const { at, seen } = loginTimes(req);
  if (config.absoluteTimeoutMs !== undefined && at !== undefined && now - at >= config.absoluteTimeoutMs) {
    return 'absolute_timeout';
  }
  if (config.idleTimeoutMs !== undefined && seen !== undefined && now - seen >= config.idleTimeoutMs) {
    return 'idle_timeout';
  }
  return undefined;
}

/**
 * Whether the request's login has outlived one of its lifetimes; when not, notes its use (to the
 * minute, or a tenth of the idle lifetime when shorter, so a busy user's session is written at
 * most that often). A login from before a lifetime was configured starts it now.
 */
export function outlived(req: Request, config: ResolvedConfig): LifetimeEnd | undefined {
  const { idleTimeoutMs, absoluteTimeoutMs } = config;
  if (idleTimeoutMs === undefined && absoluteTimeoutMs === undefined) return undefined;
  const now = config.clock();
  const { at, seen } = loginTimes(req);
  if (absoluteTimeoutMs !== undefined) {
    if (at === undefined) stampLogin(req, 'at', now);
    else if (now - at >= absoluteTimeoutMs) return 'absolute_timeout';
  }
  if (idleTimeoutMs !== undefined) {
    if (seen !== undefined && now - seen >= idleTimeoutMs) return 'idle_timeout';
    if (seen === undefined || now - seen >= Math.min(SEEN_GRANULARITY_MS, idleTimeoutMs / 10)) {
      stampLogin(req, 'seen', now);
    }
  }
  return undefined;
}
