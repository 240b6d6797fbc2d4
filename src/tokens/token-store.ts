import type { Request } from 'express';
import { authState, peekAuthState, type AuthSessionState } from '../session/session-state.js';
import { tokenSetFromText, type TokenSet } from './token-set.js';

/**
 * Where a user's token set lives. Writes are compare-and-swap on {@link TokenSet.version}, so a
 * stale request can never overwrite a newer token set (a rotated refresh token) with an older one.
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
}

/**
 * The token set {@link SessionTokenStore} keeps in a session's state, or `undefined`. It is kept
 * as JSON text: most requests never read it (the session notes when it falls due), while
 * express-session parses, hashes twice and serialises the whole session on every request, where
 * one string costs far less than an object's every key.
 */
export function sessionTokens(state: AuthSessionState | null | undefined): TokenSet | undefined {
  const text = state?.tokens;
  return typeof text === 'string' ? tokenSetFromText(text) : undefined;
}

/**
 * The default store: the token set lives in the express-session data under `synergyflow.tokens`,
 * so it works with any session store. The compare-and-swap holds within the request's copy of the
 * session; across processes, use a store that keeps tokens apart from the session blob.
 */
export class SessionTokenStore implements TokenStore {
  /** @inheritdoc */
  async get(req: Request): Promise<TokenSet | undefined> {
    return sessionTokens(peekAuthState(req));
  }

  /** @inheritdoc */
  async set(req: Request, tokens: TokenSet, expectedVersion: number | undefined): Promise<boolean> {
    const state = authState(req);
    const current = sessionTokens(state);
    if (expectedVersion !== undefined && current && current.version !== expectedVersion) return false;
    state.tokens = JSON.stringify(tokens);
    return true;
  }

  /** @inheritdoc */
  async clear(req: Request, expectedVersion?: number): Promise<void> {
    const state = peekAuthState(req);
    if (!state?.tokens) return;
    if (expectedVersion === undefined || sessionTokens(state)?.version === expectedVersion) delete state.tokens;
  }
}
