import type { Request } from 'express';
import type { SessionData, Store } from 'express-session';
import { storedSession } from '../seams/express-session.js';
import { loggedInSubject } from './session-state.js';

/**
 * Another session than the request's, as its store holds it, seen through a stand-in request.
 *
 * Why a stand-in: a token store finds a login's token set through the request's session (its
 * footprint, see `tokenFootprint`), and the session seams find the store through
 * `req.sessionStore`; the sessions `logoutEverywhere()` ends have no request of their own. The
 * stand-in carries only `sessionStore`, `sessionID` and `session` (the stored data, a plain
 * object, not an express-session `Session`): all that the package's token stores and seams
 * read. A third-party `TokenStore` that reads more of the request sees `undefined` there.
 */
export interface StoredLogin {
  /** The stand-in request, for the token store and the seams. */
  readonly request: Request;
  /** True when the stored session holds a login of the user `sub`. */
  holdsLoginOf(sub: string): boolean;
}

/**
 * Loads the session `sessionID` from `store` (a store that fails or holds none gives a stand-in
 * without a session, which holds no login and can still be destroyed).
 */
export async function loadStoredLogin(store: Store, sessionID: string): Promise<StoredLogin> {
  const request = { sessionStore: store, sessionID } as unknown as Request;
  const data: SessionData | undefined = await storedSession(request, sessionID).catch(() => undefined);
  if (data !== undefined) (request as { session: unknown }).session = data;
  return {
    request,
    holdsLoginOf: (sub) => data !== undefined && loggedInSubject(request) === sub,
  };
}
