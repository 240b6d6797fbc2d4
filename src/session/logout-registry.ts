import { rememberNewest } from '../util/bounded-map.js';

const REMEMBER_MS = 15 * 60_000;
const MAX_ENTRIES = 100_000;

/**
 * Remembers the sessions logged out recently in this process, so a request that was already in
 * flight during the logout cannot save its copy of the session and bring the login back.
 *
 * Keyed by the session id itself: the ids it holds name sessions whose login has ended, and a
 * hash of the id would cost every logged-in request a SHA-256 whenever anyone logged out lately.
 */
export class LogoutRegistry {
  readonly #ended = new Map<string, number>();

  /** Records that `sessionID` was logged out. */
  add(sessionID: string): void {
    const now = Date.now();
    rememberNewest(this.#ended, sessionID, now, MAX_ENTRIES);
    for (const [id, at] of this.#ended) {
      if (now - at < REMEMBER_MS) break;
      this.#ended.delete(id);
    }
  }

  /** True when `sessionID` was logged out in the last minutes. */
  has(sessionID: string): boolean {
    if (this.#ended.size === 0) return false;
    const at = this.#ended.get(sessionID);
    return at !== undefined && Date.now() - at < REMEMBER_MS;
  }
}
