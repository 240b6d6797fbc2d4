import type { Request } from 'express';
import type { AuthContext } from '../parts.js';
import { isLoginRequiredError } from '../errors.js';
import { authState, peekAuthState } from '../session/session-state.js';
import type { TokenSet } from './token-set.js';

/** Refreshes through the coordinator and persists the result (compare-and-swap on the version). */
export async function refreshed(
  context: AuthContext,
  req: Request,
  tokens: TokenSet,
  params?: Readonly<Record<string, string>>,
): Promise<TokenSet> {
  const store = context.tokenStore;
  let next: TokenSet;
  try {
    next = await context.refresher.refresh(tokens, {
      reread: () => store.get(req),
      params,
      persist: (fresh) => store.set(req, fresh, tokens.version),
    });
  } catch (error) {
    if (isLoginRequiredError(error)) throw await signOut(context, req, error);
    throw error;
  }
  // Requests that joined or adopted another's refresh store it in their own session too; the
  // version check turns a write that is already there (or older) into a re-read.
  const stored = await store.get(req);
  if (stored && stored.version >= next.version) return finish(req, stored);
  if (!(await store.set(req, next, tokens.version))) {
    const latest = await store.get(req);
    if (latest && latest.version >= next.version) next = latest;
  }
  return finish(req, next);
}

function finish(req: Request, next: TokenSet): TokenSet {
  // A refresh invalidates the cached profile: the next check loads it with the new token.
  delete authState(req).profileLoadedAt;
  return next;
}

/**
 * Forgets the tokens and the cached profile, then hands back `error` to throw. The Passport login
 * stays, so the login page can still return the user where they were.
 */
export async function signOut<E extends Error>(context: AuthContext, req: Request, error: E): Promise<E> {
  await context.tokenStore.clear(req);
  const state = peekAuthState(req);
  if (state) {
    delete state.profile;
    delete state.profileLoadedAt;
  }
  return error;
}
