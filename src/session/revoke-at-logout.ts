import type { Request } from 'express';
import { isSynergyFlowError } from '../error-guards.js';
import { emit } from '../hooks.js';
import { logger } from '../log.js';
import type { AuthParts } from '../parts.js';
import type { Revocation } from '../provider/description.js';
import type { TokenSet } from '../tokens/token-set.js';
import { endLogin } from './end-login.js';

const log = logger('logout');

/** What revoking a login's tokens needs. */
export type RevocationParts = Pick<AuthParts, 'config' | 'client'>;

/** The first failure's name, for the hook and the debug line: a provider error's kind, else its code. */
function failureName(error: unknown): string {
  const { kind, code } = (error ?? {}) as { kind?: unknown; code?: unknown };
  if (isSynergyFlowError(error) && typeof kind === 'string') return kind;
  return typeof code === 'string' ? code : 'error';
}

/**
 * Revokes a login's refresh token and access token at the provider (RFC 7009), both at once,
 * each within the provider deadline (`timeoutSeconds`). Never rejects: a failure is a debug line
 * and an `onRevoke` hook with outcome `failed`. Does nothing when the provider describes no
 * revocation endpoint.
 */
export async function revokeTokens(parts: RevocationParts, tokens: TokenSet, userId?: string): Promise<void> {
  if (parts.config.revocationURL === undefined) return;
  const started = Date.now();
  const revocations: Revocation[] = [
    ...(tokens.refreshToken ? [{ token: tokens.refreshToken, hint: 'refresh_token' as const }] : []),
    { token: tokens.accessToken, hint: 'access_token' },
  ];
  const results = await Promise.allSettled(revocations.map(({ token, hint }) => parts.client.revoke(token, hint)));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  const durationMs = Date.now() - started;
  if (failed) {
    const reason = failureName(failed.reason);
    log('revoking the tokens at the provider failed (%s); they stay valid there until they expire', reason);
    emit(parts.config.hooks, 'onRevoke', { outcome: 'failed', reason, durationMs, userId });
  } else {
    emit(parts.config.hooks, 'onRevoke', { outcome: 'success', durationMs, userId });
  }
}

/** The request's token set, or `undefined` when there is none or the store cannot say. */
async function storedTokens(parts: AuthParts, req: Request): Promise<TokenSet | undefined> {
  try {
    return await parts.tokenStore.get(req);
  } catch {
    log('could not read the tokens to revoke them (the token store failed); logging out locally');
    return undefined;
  }
}

/**
 * Ends the request's login ({@link endLogin}), then revokes its tokens at the provider when the
 * provider describes a revocation endpoint. The local logout comes first and never depends on
 * the provider: the revocation is waited for at most `revocationWaitSeconds`, then goes on alone
 * (within `timeoutSeconds`), and its failure fails nothing.
 */
export async function endLoginAndRevoke(parts: AuthParts, req: Request, userId?: string): Promise<void> {
  const tokens = parts.config.revocationURL === undefined ? undefined : await storedTokens(parts, req);
  await endLogin(parts, req);
  if (tokens) await revokeAll(parts, [tokens], userId);
}

/**
 * Revokes every token set given (the logins `logoutEverywhere()` ended, or one logout's), all at
 * once, as {@link revokeTokens} does each; waits at most `revocationWaitSeconds`, then lets the
 * revocations go on alone (within `timeoutSeconds`). Never rejects.
 */
export async function revokeAll(
  parts: RevocationParts,
  tokenSets: readonly TokenSet[],
  userId?: string,
): Promise<void> {
  if (parts.config.revocationURL === undefined || tokenSets.length === 0) return;
  const revocation = Promise.all(tokenSets.map((tokens) => revokeTokens(parts, tokens, userId)));
  const waitMs = parts.config.revocationWaitMs;
  if (waitMs <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, waitMs);
    timer.unref();
  });
  await Promise.race([revocation, budget]);
  clearTimeout(timer);
}
