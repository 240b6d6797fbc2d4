/*
 * Everything this package relies on inside Passport (0.6, 0.7), in one file, checked by
 * test/seams/passport.test.ts, which fails if an upgrade changes it:
 *
 * 1. `passport._strategy('session')` returns the strategy `passport.session()` runs, and Passport
 *    runs it as `Object.create(strategy).authenticate(req, options)`, so an own `authenticate`
 *    replaced on the strategy sees every request that passes `passport.session()`. Passport gives
 *    no other sign that `passport.session()` ran, and the package needs one: without it a login
 *    is stored but never read back (the browser loops), and it is where the package starts
 *    guarding a logged-in session's writes.
 * 2. Public, but easy to miss: `passport.serializeUser(user, req, done)` and
 *    `passport.deserializeUser(stored, req, done)` (called with a value instead of a function)
 *    run the whole chain of registered serializers, and a serializer that answers `'pass'` hands
 *    the user to the next one. A wrapper around Passport may not forward those calls, so they
 *    are made only on Passport's own `Authenticator` (it keeps its chains in `_serializers` and
 *    `_deserializers`).
 */
import type { Request } from 'express';
import type { PassportInstance } from '../login/passport-instance.js';

interface AuthenticatingStrategy {
  authenticate(this: unknown, req: unknown, options?: unknown): unknown;
}

/**
 * What runs on every request `passport.session()` sees, before Passport restores the user. A
 * watcher that returns a promise holds the request until it settles (the rare request that has
 * something to do; the others go on synchronously).
 */
export type SessionStrategyWatcher = (req: Request) => void | Promise<void>;

function sessionStrategyOf(passport: PassportInstance): AuthenticatingStrategy | undefined {
  const lookup = (passport as { _strategy?: unknown })._strategy;
  if (typeof lookup !== 'function') return undefined;
  const strategy: unknown = lookup.call(passport, 'session');
  if (typeof strategy !== 'object' || strategy === null) return undefined;
  return typeof (strategy as AuthenticatingStrategy).authenticate === 'function'
    ? (strategy as AuthenticatingStrategy)
    : undefined;
}

/** For each session strategy watched: its watchers. */
const watched = new WeakMap<object, Set<SessionStrategyWatcher>>();

/**
 * Calls `watcher` on every request the instance's `passport.session()` sees. False when the
 * instance cannot be watched (not Passport 0.6/0.7, or no session strategy).
 */
export function watchSessionStrategy(passport: PassportInstance, watcher: SessionStrategyWatcher): boolean {
  const strategy = sessionStrategyOf(passport);
  if (!strategy) return false;
  let watchers = watched.get(strategy);
  if (!watchers) {
    const all = new Set<SessionStrategyWatcher>();
    watchers = all;
    watched.set(strategy, all);
    const original = strategy.authenticate;
    strategy.authenticate = function (this: unknown, req: unknown, options?: unknown) {
      let waits: Promise<void>[] | undefined;
      if (typeof req === 'object' && req !== null) {
        for (const watch of all) {
          const wait = watch(req as Request);
          if (wait) (waits ??= []).push(wait);
        }
      }
      if (!waits) return original.call(this, req, options);
      // Passport's strategy reports through `this.error`; a throw after the wait would be lost.
      const run = (): void => {
        try {
          original.call(this, req, options);
        } catch (error) {
          (this as { error(error: unknown): void }).error(error);
        }
      };
      void Promise.all(waits).then(run, run);
      return undefined;
    };
  }
  watchers.add(watcher);
  return true;
}

/** True when the instance's `passport.session()` can be watched (see {@link watchSessionStrategy}). */
export function canWatchSessionStrategy(passport: PassportInstance): boolean {
  return sessionStrategyOf(passport) !== undefined;
}

/** True when `passport` is Passport's own `Authenticator`, whose serializer chains can be run. */
export function runsSerializerChains(passport: PassportInstance): boolean {
  const chains = passport as { _serializers?: unknown; _deserializers?: unknown };
  return Array.isArray(chains._serializers) && Array.isArray(chains._deserializers);
}

/** Runs the instance's whole chain of serializers on `user`: what Passport would store, or the error. */
export function serializeThroughChain(passport: PassportInstance, user: Express.User, req: Request): Promise<unknown> {
  const chain = passport as unknown as {
    serializeUser(user: unknown, req: Request, done: (error: unknown, stored?: unknown) => void): void;
  };
  if (!runsSerializerChains(passport)) return Promise.reject(new Error('not a Passport Authenticator'));
  return new Promise((resolve, reject) =>
    chain.serializeUser(user, req, (error, stored) => (error ? reject(error) : resolve(stored))),
  );
}

/** Runs the instance's whole chain of deserializers on `stored`: the user it restores, or `false`. */
export function deserializeThroughChain(
  passport: PassportInstance,
  stored: unknown,
  req: Request,
): Promise<Express.User | false> {
  const chain = passport as unknown as {
    deserializeUser(stored: unknown, req: Request, done: (error: unknown, user?: Express.User | false) => void): void;
  };
  if (!runsSerializerChains(passport)) return Promise.reject(new Error('not a Passport Authenticator'));
  return new Promise((resolve, reject) =>
    chain.deserializeUser(stored, req, (error, user) => (error ? reject(error) : resolve(user ?? false))),
  );
}
