import type { Request } from 'express';
import type { SessionData, Store } from 'express-session';
import { logger } from '../log.js';
import type { TokenStore } from '../tokens/token-store.js';
import type { LogoutRegistry } from './logout-registry.js';

const log = logger('session');
const guarded = new WeakSet<object>();

/** What the guard needs: this process's logouts and the token store. */
export interface SaveGuardParts {
  readonly logouts: LogoutRegistry;
  readonly tokenStore: TokenStore;
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
 * express-session saves through `req.session.save`, so wrapping that one method covers it.
 */
export function guardSessionSave(req: Request, parts: SaveGuardParts): void {
  const session = req.session;
  if (!session || guarded.has(session)) return;
  guarded.add(session);
  const sessionID = req.sessionID;
  const store = req.sessionStore;
  const save = session.save.bind(session);
  session.save = (callback?: (err?: unknown) => void) => {
    if (parts.logouts.has(sessionID)) {
      log('save skipped: the session was logged out meanwhile');
      callback?.();
      return session;
    }
    const loggedIn = session.passport?.user !== undefined;
    const ours = session.synergyflow;
    if (!store || (!loggedIn && !ours?.tokens)) return save(callback);
    store.get(sessionID, (error: unknown, stored?: SessionData | null) => {
      if (error) return save(callback);
      if (!stored && loggedIn) {
        log('save skipped: the session no longer exists in the store (logged out)');
        callback?.();
        return;
      }
      const theirs = stored?.synergyflow?.tokens;
      if (theirs && ours?.tokens && theirs.version > ours.tokens.version) {
        log('kept the newer token set already in the store');
        ours.tokens = theirs;
      }
      if (ours?.tokenKey === undefined) return save(callback);
      save((saveError?: unknown) => {
        if (saveError) return callback?.(saveError);
        undoIfLoggedOut(req, parts.tokenStore, store, sessionID).then(
          () => callback?.(),
          () => callback?.(),
        );
      });
    });
    return session;
  };
}

/** Destroys the copy just written when its token set vanished meanwhile (a logout elsewhere). */
async function undoIfLoggedOut(req: Request, tokens: TokenStore, store: Store, sessionID: string): Promise<void> {
  if ((await tokens.get(req)) !== undefined) return;
  log('destroyed a session written back after its token set was removed (logged out elsewhere)');
  await new Promise<void>((resolve) => store.destroy(sessionID, () => resolve()));
}
