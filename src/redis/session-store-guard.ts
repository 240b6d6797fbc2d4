import { isStoreOutage, storeUnavailable } from './store-outage.js';
import { withinTime } from './time-limit.js';

/** Options of {@link guardSessionStore}. */
export interface SessionStoreGuardOptions {
  /** How long one session-store call may take before the request is answered 503. Default 1. */
  timeoutSeconds?: number;
}

type Callback = (error?: unknown, ...results: unknown[]) => void;

/** The calls express-session makes on its store, each ending in a callback. */
const GUARDED = new Set<PropertyKey>(['get', 'set', 'destroy', 'touch']);

/**
 * Wraps an express-session store (connect-redis or any other) so that each of its calls answers
 * within `timeoutSeconds` and its outages become 503 `store_unavailable` errors with
 * `Retry-After`, which `auth.errorHandler()` answers. Without it, a Redis that is down makes
 * express-session wait for the client (5 s with node-redis, for ever with a Redis that hangs)
 * and then pass the client's raw error on. Everything else about the store is untouched:
 * `app.use(session({ store: guardSessionStore(new RedisStore({ client })), … }))`.
 */
export function guardSessionStore<S extends object>(store: S, options: SessionStoreGuardOptions = {}): S {
  const seconds = options.timeoutSeconds ?? 1;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new TypeError('passport-synergyflow: guardSessionStore option "timeoutSeconds" must be a positive number.');
  }
  const ms = Math.round(seconds * 1000);
  const wrappers = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (!GUARDED.has(property) || typeof value !== 'function') return value;
      let wrapper = wrappers.get(property);
      if (!wrapper) {
        wrapper = guarded(target, value as (...args: unknown[]) => unknown, String(property), ms);
        wrappers.set(property, wrapper);
      }
      return wrapper;
    },
  });
}

function guarded(
  store: object,
  method: (...args: unknown[]) => unknown,
  name: string,
  ms: number,
): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => {
    const last = args.at(-1);
    if (typeof last !== 'function') return method.apply(store, args);
    const done = last as Callback;
    const work = new Promise<unknown[]>((resolve, reject) => {
      const callback: Callback = (error, ...results) => (error ? reject(toError(error)) : resolve(results));
      try {
        method.apply(store, [...args.slice(0, -1), callback]);
      } catch (error) {
        reject(toError(error));
      }
    });
    withinTime(work, ms).then(
      (results) => done(null, ...results),
      (error: unknown) => {
        if (!isStoreOutage(error, true)) return done(error);
        const outage = storeUnavailable(error, `the session store's ${name}`);
        // express-session's end-of-request write: the answer has begun, and express-session
        // would send the failure to the next error middleware, past errorHandler() when that
        // wrote the answer, to Express's final handler, which destroys the connection. The
        // session stays as the store last had it (logged above); the answer completes.
        if (WRITES.has(name) && answerBegun(args[1])) return done(null);
        done(outage);
      },
    );
    return undefined;
  };
}

/** The calls express-session makes at the end of a request, after the answer's headers. */
const WRITES = new Set(['set', 'touch']);

/**
 * True when `session` is an express-session `Session` whose request's answer has begun. A
 * `Session` links back to its request in a non-enumerable `req` (src/seams/express-session.ts,
 * point 2), and Express links the request to its response.
 */
function answerBegun(session: unknown): boolean {
  const req = (session as { req?: { res?: { headersSent?: unknown } } } | null)?.req;
  return req?.res?.headersSent === true;
}

// Errors pass as they are (express-session reads `code: 'ENOENT'` as "no session"); other values become errors.
const toError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
