import type { Request } from 'express';
import { tokenFootprint } from '../session/session-state.js';
import type { TokenSet } from './token-set.js';
import { tokenSetFromText, tokenSetToText } from './token-set-text.js';

/**
 * Where a user's token set lives. Writes are compare-and-swap on {@link TokenSet.version}, so a
 * stale request can never overwrite a newer token set (a rotated refresh token) with an older one.
 *
 * A store finds the request's token set through the one string it may keep in the session,
 * `tokenFootprint(req)` (the tokens themselves, or a key naming them elsewhere): logging out and
 * a new login forget it with the rest of the login. A logout is final for every store: the
 * package destroys any copy of an ended session that a request in flight writes back.
 */
export interface TokenStore {
  /** The request's token set, or `undefined` when there is none. */
  get(req: Request): Promise<TokenSet | undefined>;
  /**
   * Stores `tokens` if the stored version is still `expectedVersion` (`undefined`: nothing stored
   * or a fresh login that replaces whatever is stored). Resolves `false` when another request
   * wrote first; the caller then re-reads.
   */
  set(req: Request, tokens: TokenSet, expectedVersion: number | undefined): Promise<boolean>;
  /**
   * Removes the request's token set; with `expectedVersion`, only while that version is the one
   * stored, so a refusal seen with old tokens never deletes a sibling's newer ones.
   */
  clear(req: Request, expectedVersion?: number): Promise<void>;
  /**
   * Only for stores that keep the tokens themselves in the session: before a request writes its
   * copy of the session back, it is shown its own footprint and the stored copy's, and the
   * footprint it returns is written (the newer token set, so a slow request never brings back a
   * rotated refresh token). Stores that keep only a key need none.
   */
  reconcile?(mine: string, stored: string): string;
  /**
   * Only for stores that expire token sets apart from the session (`RedisTokenStore`): called on
   * every request `passport.session()` sees for a logged-in session, before the user is restored,
   * so the token set lives at least as long as the session. Returns `undefined` when nothing
   * needs doing (the request goes on at once, no store call), or a promise the request waits
   * for; the promise never rejects.
   */
  keepAlive?(req: Request): Promise<void> | undefined;
}

/** The token set a {@link SessionTokenStore} footprint holds, or `undefined`. */
function tokensIn(text: string | undefined): TokenSet | undefined {
  return typeof text === 'string' ? tokenSetFromText(text) : undefined;
}

/**
 * The default store: the token set lives in the express-session data, so it works with any
 * session store. It is kept as JSON text: most requests never read it (the session notes when it
 * falls due), while express-session parses, hashes twice and serialises the whole session on
 * every request, where one string costs far less than an object's every key. The compare-and-swap
 * holds within the request's copy of the session, and `reconcile` keeps the newer token set when
 * a request writes its copy back; across processes, use a store that keeps tokens apart from the
 * session blob.
 */
export class SessionTokenStore implements TokenStore {
  /** @inheritdoc */
  async get(req: Request): Promise<TokenSet | undefined> {
    return tokensIn(tokenFootprint(req).read());
  }

  /** @inheritdoc */
  async set(req: Request, tokens: TokenSet, expectedVersion: number | undefined): Promise<boolean> {
    const footprint = tokenFootprint(req);
    const current = tokensIn(footprint.read());
    if (expectedVersion !== undefined && current && current.version !== expectedVersion) return false;
    footprint.write(tokenSetToText(tokens));
    return true;
  }

  /** @inheritdoc */
  async clear(req: Request, expectedVersion?: number): Promise<void> {
    const footprint = tokenFootprint(req);
    const current = footprint.read();
    if (current === undefined) return;
    if (expectedVersion === undefined || tokensIn(current)?.version === expectedVersion) footprint.clear();
  }

  /** @inheritdoc */
  reconcile(mine: string, stored: string): string {
    const mineVersion = tokensIn(mine)?.version;
    const storedVersion = tokensIn(stored)?.version;
    return mineVersion !== undefined && storedVersion !== undefined && storedVersion > mineVersion ? stored : mine;
  }
}
