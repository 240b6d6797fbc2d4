import { createHash } from 'node:crypto';
import { rememberNewest } from '../util/bounded-map.js';

const REMEMBER_MS = 15 * 60_000;
const MAX_ENTRIES = 100_000;

function key(sessionID: string): string {
  return createHash('sha256').update(sessionID).digest('base64url');
}

/**
 * Remembers the sessions logged out recently in this process, so a request that was already in
 * flight during the logout cannot save its copy of the session and bring the login back.
 */
export class LogoutRegistry {
  readonly #ended = new Map<string, number>();

  /** Records that `sessionID` was logged out. */
  add(sessionID: string): void {
    const now = Date.now();
    rememberNewest(this.#ended, key(sessionID), now, MAX_ENTRIES);
    for (const [id, at] of this.#ended) {
      if (now - at < REMEMBER_MS) break;
      this.#ended.delete(id);
    }
  }

  /** True when `sessionID` was logged out in the last minutes. */
  has(sessionID: string): boolean {
    // The common case needs no hashing: nobody logged out in this process lately.
    if (this.#ended.size === 0) return false;
    const at = this.#ended.get(key(sessionID));
    return at !== undefined && Date.now() - at < REMEMBER_MS;
  }
}
