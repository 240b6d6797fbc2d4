import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import createDebug from 'debug';

const debugBase = createDebug('passport-synergyflow');

/** The short id of the request being handled, shared by every line it logs. */
const requestIds = new AsyncLocalStorage<string>();
/** Every area's logger: `enabled` is cached by `debug` until the namespaces change. */
const areas: createDebug.Debugger[] = [];

/** A package logger: call it like `debug`; `enabled` says whether its area is on. */
export interface Logger {
  (formatter: string, ...args: unknown[]): void;
  readonly enabled: boolean;
}

/**
 * A `debug` logger under the `passport-synergyflow:` namespace. Inside a request that
 * {@link correlate} entered, each line starts with the request's short id (`[k3Xq9a]`), so the
 * lines of concurrent users can be told apart. Never give it a token.
 */
export function logger(area: string): Logger {
  const debug = debugBase.extend(area);
  areas.push(debug);
  const log = (formatter: string, ...args: unknown[]): void => {
    if (!debug.enabled) return;
    const id = requestIds.getStore();
    if (id === undefined) debug(formatter, ...args);
    else debug(`[%s] ${formatter}`, id, ...args);
  };
  Object.defineProperty(log, 'enabled', { get: () => debug.enabled });
  return log as Logger;
}

const ids = new WeakMap<object, string>();

/**
 * Runs `next` with the request's correlation id (made on first use, kept for the request), when
 * any `passport-synergyflow:*` logging is on; otherwise just runs it, so the id costs nothing
 * when debug is off.
 */
export function correlate<T>(req: object, next: () => T): T {
  if (!areas.some((debug) => debug.enabled)) return next();
  let id = ids.get(req);
  if (id === undefined) {
    id = randomBytes(4).toString('base64url').slice(0, 6);
    ids.set(req, id);
  }
  return requestIds.run(id, next);
}
