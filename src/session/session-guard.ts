import type { Request } from 'express';
import type { SessionData } from 'express-session';
import { logger } from '../log.js';
import type { LogoutRegistry } from './logout-registry.js';

const log = logger('session');
const guarded = new WeakSet<object>();

/**
 * Makes this request's session save safe against the two races of a whole-session write-back:
 *
 * 1. A request that loaded the session before a sibling rotated the tokens would write the old
 *    token set back. Before saving, the stored copy is read; if it holds a newer token set
 *    (higher version), that one is kept.
 * 2. A request in flight during a logout would recreate the logged-out session. If the session
 *    was logged out here, or no longer exists in the store while this copy is logged in, the
 *    save is skipped.
 *
 * express-session saves through `req.session.save`, so wrapping that one method covers it.
 * Across processes the read-then-write is not atomic: `RedisTokenStore`, which keeps tokens
 * apart from the session blob, gives the full guarantee.
 */
export function guardSessionSave(req: Request, logouts: LogoutRegistry): void {
  const session = req.session;
  if (!session || guarded.has(session)) return;
  guarded.add(session);
  const sessionID = req.sessionID;
  const store = req.sessionStore;
  const save = session.save.bind(session);
  session.save = (callback?: (err?: unknown) => void) => {
    if (logouts.has(sessionID)) {
      log('save skipped: the session was logged out meanwhile');
      callback?.();
      return session;
    }
    const ours = session.synergyflow;
    if (!store || !ours?.tokens) return save(callback);
    store.get(sessionID, (error: unknown, stored?: SessionData | null) => {
      if (error) return save(callback);
      if (!stored && session.passport?.user !== undefined) {
        log('save skipped: the session no longer exists in the store');
        callback?.();
        return;
      }
      const theirs = stored?.synergyflow?.tokens;
      if (theirs && ours.tokens && theirs.version > ours.tokens.version) {
        log('kept the newer token set already in the store');
        ours.tokens = theirs;
      }
      save(callback);
    });
    return session;
  };
}

declare module 'express-session' {
  interface SessionData {
    passport?: { user?: unknown };
  }
}
