import type { Request } from 'express';
import type { SessionData, Store } from 'express-session';

/** What a store needs to hand a request another session: every express-session `Store` has it. */
interface SessionStore {
  get: Store['get'];
  createSession(req: Request, data: SessionData): unknown;
}

/**
 * Moves the request onto the stored session `sessionID`, as express-session does when it loads a
 * session: the answer then carries that session's cookie. For a browser whose login another
 * request of its own has just finished (a double click or a reload during the callback): that
 * answer, with the new session's cookie, was dropped by the browser. Resolves false (the request
 * keeps its session) when the store has no such session; rejects when the store fails.
 */
export async function adoptSession(req: Request, sessionID: string): Promise<boolean> {
  const store = req.sessionStore as unknown as SessionStore | undefined;
  if (!store || typeof store.createSession !== 'function') return false;
  const data = await storedSession(req, sessionID);
  if (!data) return false;
  req.sessionID = sessionID;
  store.createSession(req, data);
  return true;
}

/**
 * The session `sessionID` as the request's store holds it now, or `undefined` when it holds none.
 * Rejects when the store fails (or there is none), so callers can tell "none" from "cannot say".
 */
export function storedSession(req: Request, sessionID: string): Promise<SessionData | undefined> {
  const store = req.sessionStore as unknown as SessionStore | undefined;
  if (!store) return Promise.reject(new Error('no session store'));
  return new Promise((resolve, reject) =>
    store.get(sessionID, (error: unknown, found?: SessionData | null) =>
      error ? reject(error as Error) : resolve(found ?? undefined),
    ),
  );
}
