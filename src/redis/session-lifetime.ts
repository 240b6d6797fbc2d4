import type { Request } from 'express';

/*
 * How long the request's session lives in its store after this request, as express-session and
 * connect-redis decide it. express-session touches the session at the end of every request
 * (`req.session.touch()` resets the cookie's expiry to now + `maxAge`), and a store with `touch`
 * (connect-redis) moves the stored session's expiry with it, rolling or not. A cookie without a
 * `maxAge` leaves the expiry to the store: connect-redis (and most stores) keep the session for
 * their `ttl` option, in seconds, from the last request.
 */

/** The parts of a session store that say how long it keeps a session (connect-redis's names). */
interface StoreLifetime {
  /** Seconds, or a function of the session giving seconds (connect-redis 7+, connect-mongo…). */
  readonly ttl?: unknown;
  /** connect-redis: sessions are stored without an expiry. */
  readonly disableTTL?: unknown;
}

/**
 * How long, in milliseconds from now, the request's session lives in its store if this is its
 * last request; `undefined` when neither the cookie nor the store says (the session may live
 * for ever, as in express-session's MemoryStore without a `maxAge`).
 */
export function sessionLifetimeMs(req: Request): number | undefined {
  const session = req.session as (Request['session'] & { cookie?: { originalMaxAge?: unknown } }) | undefined;
  const maxAge = session?.cookie?.originalMaxAge;
  if (typeof maxAge === 'number' && Number.isFinite(maxAge) && maxAge > 0) return maxAge;
  const store = req.sessionStore as StoreLifetime | undefined;
  if (!store || store.disableTTL === true) return undefined;
  let seconds: unknown = store.ttl;
  if (typeof seconds === 'function') {
    try {
      seconds = (seconds as (data: unknown) => unknown).call(store, session);
    } catch {
      return undefined;
    }
  }
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/**
 * How long past its session a token set is kept: a tenth of the session's lifetime, at least 2 s
 * (a request's own duration and the store's rounding to seconds) and at most an hour. The token
 * set is extended when less than half of it is left, so a session in use extends it once per
 * half-margin at most, and an abandoned one leaves it behind for one margin at most.
 */
export function keepMarginMs(lifetimeMs: number): number {
  return Math.min(3_600_000, Math.max(2_000, Math.round(lifetimeMs / 10)));
}
