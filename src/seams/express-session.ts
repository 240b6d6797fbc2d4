/*
 * Everything this package relies on inside express-session (1.17+), in one file. All of it is
 * how express-session has worked for years, but not all of it is documented API, so it is
 * pinned here and checked by test/seams/express-session.test.ts, which fails if an upgrade
 * changes it:
 *
 * 1. A request's session is a `Session` whose `save`, `regenerate` and `destroy` are looked up
 *    on the object, and express-session's own end-of-request write calls `req.session.save`.
 *    An own property replacing one of them therefore sees every write, regeneration and
 *    destruction of that session (documented methods; replacing them is not).
 * 2. A `Session` links back to its request in a non-enumerable `req` property, and carries its
 *    own id in `id` (the request's `sessionID` moves on when it is regenerated).
 * 3. Every express-session `Store` has `createSession(req, data)`, which makes `data` the
 *    request's session (`req.session`), as express-session does when it loads one; assigning
 *    `req.sessionID` first makes the answer carry that session's cookie.
 * 4. `store.get`, `store.set` and `store.destroy` take Node-style callbacks (documented).
 */
import type { Request } from 'express';
import type { SessionData, Store } from 'express-session';

/** A Node-style callback of a session method. */
export type SessionCallback = (err?: unknown) => void;

/** One of the session methods the package intercepts, bound to the session it belongs to. */
export type SessionMethod = (callback?: SessionCallback) => void;

/**
 * What runs instead of a session method: it gets the session's data (the `Session` object, which
 * may no longer be `req.session` after a regeneration), its request and id, and the original.
 */
export type Interceptor = (
  session: object,
  req: Request,
  sessionID: string,
  original: SessionMethod,
  callback?: SessionCallback,
) => void;

/** The three methods the package can intercept, each with its replacement. */
export interface SessionInterceptors {
  readonly save: Interceptor;
  readonly regenerate: Interceptor;
  readonly destroy: Interceptor;
}

interface SessionObject {
  readonly id?: unknown;
  readonly req?: Request;
  save: (this: SessionObject, callback?: SessionCallback) => unknown;
  regenerate: (this: SessionObject, callback?: SessionCallback) => unknown;
  destroy: (this: SessionObject, callback?: SessionCallback) => unknown;
  [key: symbol]: unknown;
}

const METHODS = ['save', 'regenerate', 'destroy'] as const;
// Set only when express-session's own `req` link is missing (a session built by another library).
const REQUEST = Symbol('passport-synergyflow: intercepted request');

/** The replacements made for one set of interceptors, made once (no closure per request). */
interface Replacements {
  readonly functions: Record<(typeof METHODS)[number], SessionObject['save']>;
  /** Where a session keeps a method that was its own property before (another wrapper's). */
  readonly replaced: Record<(typeof METHODS)[number], symbol>;
}

const made = new WeakMap<SessionInterceptors, Replacements>();
const allFunctions = new WeakSet<object>();

function replacementsFor(interceptors: SessionInterceptors): Replacements {
  const known = made.get(interceptors);
  if (known) return known;
  const replaced = {
    save: Symbol('passport-synergyflow: replaced save'),
    regenerate: Symbol('passport-synergyflow: replaced regenerate'),
    destroy: Symbol('passport-synergyflow: replaced destroy'),
  };
  const make = (name: (typeof METHODS)[number]): SessionObject['save'] =>
    function (this: SessionObject, callback?: SessionCallback) {
      const own = this[replaced[name]] as SessionObject['save'] | undefined;
      const original = own ?? (Object.getPrototypeOf(this) as SessionObject)[name];
      const req = (this[REQUEST] ?? this.req) as Request;
      const sessionID = typeof this.id === 'string' ? this.id : req.sessionID;
      interceptors[name](this, req, sessionID, (done) => void original.call(this, done), callback);
      return this;
    };
  const functions = { save: make('save'), regenerate: make('regenerate'), destroy: make('destroy') };
  for (const fn of Object.values(functions)) allFunctions.add(fn);
  const result = { functions, replaced };
  made.set(interceptors, result);
  return result;
}

/**
 * Routes the request's session's `save`, `regenerate` and `destroy` through `interceptors`. Once
 * per session object; a no-op when there is no session or it is intercepted already.
 */
export function interceptSession(req: Request, interceptors: SessionInterceptors): void {
  const session = req.session as unknown as SessionObject | undefined;
  if (!session) return;
  const { functions, replaced } = replacementsFor(interceptors);
  if (session.save === functions.save) return;
  for (const name of METHODS) {
    if (Object.hasOwn(session, name)) session[replaced[name]] = session[name];
    session[name] = functions[name];
  }
  if (session.req !== req) session[REQUEST] = req;
}

/** True when some interceptors route the request's session's writes (see {@link interceptSession}). */
export function isSessionIntercepted(req: Request): boolean {
  const save: unknown = (req.session as unknown as SessionObject | undefined)?.save;
  return typeof save === 'function' && allFunctions.has(save);
}

/** What a store needs to hand a request another session: every express-session `Store` has it. */
interface SessionStore {
  get: Store['get'];
  destroy: Store['destroy'];
  createSession(req: Request, data: SessionData): unknown;
}

function storeOf(req: Request): SessionStore | undefined {
  return req.sessionStore as unknown as SessionStore | undefined;
}

/**
 * The session `sessionID` as the request's store holds it now, or `undefined` when it holds none.
 * Rejects when the store fails (or there is none), so callers can tell "none" from "cannot say".
 */
export function storedSession(req: Request, sessionID: string): Promise<SessionData | undefined> {
  const store = storeOf(req);
  if (!store) return Promise.reject(new Error('no session store'));
  return new Promise((resolve, reject) =>
    store.get(sessionID, (error: unknown, found?: SessionData | null) =>
      error ? reject(error as Error) : resolve(found ?? undefined),
    ),
  );
}

/** Removes the session `sessionID` from the request's store; never rejects (a store that fails keeps it until it expires). */
export function destroyStoredSession(req: Request, sessionID: string): Promise<boolean> {
  const store = storeOf(req);
  if (!store) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      store.destroy(sessionID, (error?: unknown) => resolve(!error));
    } catch {
      resolve(false);
    }
  });
}

/**
 * Moves the request onto the stored session `sessionID`, as express-session does when it loads a
 * session: the answer then carries that session's cookie. Resolves false (the request keeps its
 * session) when the store has no such session; rejects when the store fails.
 */
export async function adoptSession(req: Request, sessionID: string): Promise<boolean> {
  const store = storeOf(req);
  if (!store || typeof store.createSession !== 'function') return false;
  const data = await storedSession(req, sessionID);
  if (!data) return false;
  req.sessionID = sessionID;
  store.createSession(req, data);
  return true;
}
