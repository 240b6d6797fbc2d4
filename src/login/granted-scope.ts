import { LoginFailedError } from '../errors.js';
import type { TokenSet } from '../tokens/token-set.js';
import type { LoginInfo } from './strategy.js';

/**
 * The login's tokens with the scope that was granted. RFC 6749 §5.1: a token answer names its
 * scope only when it differs from the request, so a silent answer means "as requested" and the
 * requested scopes are recorded: the login's own, or else the `configured` ones. A login that asked for scopes of its own (incremental consent)
 * and was granted fewer fails with `LoginFailedError` (`scope_not_granted`): the app asked for
 * them because a feature needs them. The user's previous login, if any, stays as it was.
 */
export function grantedTokens(info: LoginInfo, configured: readonly string[]): TokenSet {
  const { tokens } = info;
  const own = info.state?.scope;
  // A default login asked for the configured scopes: a silent answer granted those.
  const requested = own ?? configured;
  if (tokens.scope === undefined) return requested.length > 0 ? { ...tokens, scope: [...requested] } : tokens;
  if (!own) return tokens;
  const granted = new Set(tokens.scope);
  if (requested.some((scope) => !granted.has(scope))) throw new LoginFailedError('scope_not_granted');
  return tokens;
}
