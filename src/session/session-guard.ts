import type { Request } from 'express';
import type { SessionData, Store } from 'express-session';
import { logger } from '../log.js';
import { sessionTokens, type TokenStore } from '../tokens/token-store.js';
import type { LogoutRegistry } from './logout-registry.js';

const log = logger('session');

type SaveCallback = (err?: unknown) => void;
type Save = (this: unknown, callback?: SaveCallback) => unknown;

// Set only when express-session's own `req` link is missing; JSON (and so every store) ignores it.
const REQUEST = Symbol('passport-synergyflow: guarded request');

interface GuardedSession {
  save: Save;
  /** express-session's Session links back to its request. */
  readonly req?: Request;
  [REQUEST]?: Request;
  [key: symbol]: Save | Request | undefined;
}

/** What the guard needs: this process's logouts and the token store. */
export interface SaveGuardParts {
  readonly logouts: LogoutRegistry;
  readonly tokenStore: TokenStore;
}

/** An `auth` instance's replacement for `req.session.save` (see {@link guardSessionSave}). */
export type SaveGuard = (this: unknown, callback?: SaveCallback) => unknown;

/**
 * Every guard made, with the symbol under which a session keeps the `save` that guard replaced
 * when it was not express-session's own (another wrapper's).
 */
const guards = new WeakMap<SaveGuard, symbol>();

/**
 * Makes the one `save` function an `auth` instance puts on the sessions it guards. One function
 * per instance rather than a closure per request: the guard runs on every logged-in request, and
 * replacing one method of the session is all it then costs.
 */
export function createSaveGuard(parts: SaveGuardParts): SaveGuard {
  const replaced = Symbol('passport-synergyflow: replaced save');
  const guard = function (this: unknown, callback?: SaveCallback): unknown {
    const session = this as GuardedSession;
    const save = (session[replaced] as Save | undefined) ?? (Object.getPrototypeOf(session) as GuardedSession).save;
    saveGuarded(parts, session, (done?: SaveCallback) => save.call(session, done), callback);
    return session;
  };
  guards.set(guard, replaced);
  return guard;
}

/**
 * Makes this request's session save safe against the two races of a whole-session write-back:
 *
 * 1. A request that loaded the session before a sibling rotated the tokens would write the old
 *    token set back. Before saving, the stored copy is read; if it holds a newer token set
 *    (higher version), that one is kept.
 * 2. A request in flight during a logout (here or on another instance) would recreate the
 *    logged-out session. A logged-in session is not written back when it was logged out here,
 *    or when its stored copy is gone, whatever the token store; and when its token set lives in
 *    a shared store (`tokenKey`) and is gone right after the write, the written copy is destroyed
 *    again, which closes the gap between the check and the write.
 *
 * express-session saves through `req.session.save`, so replacing that one method covers it.
 */
export function guardSessionSave(req: Request, guard: SaveGuard): void {
  const session = req.session as unknown as GuardedSession | undefined;
  if (!session || session.save === guard) return;
  const replaced = guards.get(guard);
  if (replaced && Object.hasOwn(session, 'save')) session[replaced] = session.save;
  if (session.req !== req) session[REQUEST] = req;
  session.save = guard;
}

/** True when a SynergyFlow save guard protects the request's session (a login was restored). */
export function isSessionGuarded(req: Request): boolean {
  const save: unknown = (req.session as unknown as GuardedSession | undefined)?.save;
  return typeof save === 'function' && guards.has(save as SaveGuard);
}

function saveGuarded(parts: SaveGuardParts, session: GuardedSession, save: Save, callback?: SaveCallback): void {
  const req = (session[REQUEST] ?? session.req) as Request;
  // express-session's Session carries its own id; the request's may have moved on (regenerate).
  const id = (session as { id?: unknown }).id;
  const sessionID = typeof id === 'string' ? id : req.sessionID;
  const store = req.sessionStore as Store | undefined;
  if (parts.logouts.has(sessionID)) {
    log('save skipped: the session was logged out meanwhile');
    callback?.();
    return;
  }
  const data = session as unknown as SessionData;
  const loggedIn = data.passport?.user !== undefined;
  const ours = data.synergyflow;
  if (!store || (!loggedIn && !ours?.tokens)) return void save(callback);
  store.get(sessionID, (error: unknown, stored?: SessionData | null) => {
    if (error) return void save(callback);
    if (!stored && loggedIn) {
      log('save skipped: the session no longer exists in the store (logged out)');
      callback?.();
      return;
    }
    const theirs = stored?.synergyflow;
    const mine = sessionTokens(ours)?.version;
    if (ours && theirs?.tokens && mine !== undefined && (sessionTokens(theirs)?.version ?? 0) > mine) {
      log('kept the newer token set already in the store');
      ours.tokens = theirs.tokens;
    }
    if (ours?.tokenKey === undefined) return void save(callback);
    save((saveError?: unknown) => {
      if (saveError) return callback?.(saveError);
      undoIfLoggedOut(req, parts.tokenStore, store, sessionID).then(
        () => callback?.(),
        () => callback?.(),
      );
    });
  });
}

/** Destroys the copy just written when its token set vanished meanwhile (a logout elsewhere). */
async function undoIfLoggedOut(req: Request, tokens: TokenStore, store: Store, sessionID: string): Promise<void> {
  if ((await tokens.get(req)) !== undefined) return;
  log('destroyed a session written back after its token set was removed (logged out elsewhere)');
  await new Promise<void>((resolve) => store.destroy(sessionID, () => resolve()));
}
