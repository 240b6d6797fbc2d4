import { tokenSetFromOAuthAnswer, type TokenSet } from '../tokens/token-set.js';
import { oauthTokenRequest, type ProviderDescription } from './description.js';
import type { SynergyFlowProfile } from './profile.js';

/**
 * What a dialect writes with {@link defineProvider}: its name and endpoints, and only what differs
 * from a standard OAuth 2.0 server. `authorizationPath` and `userPath` are always said, even when
 * `undefined`, so that a provider without a browser login or a profile says so.
 */
export type ProviderSpec = Pick<
  ProviderDescription,
  'name' | 'baseURL' | 'authorizationPath' | 'tokenPath' | 'userPath'
> &
  Partial<Omit<ProviderDescription, 'name' | 'baseURL' | 'authorizationPath' | 'tokenPath' | 'userPath'>>;

/** The standard token answer (RFC 6749 §5.1), with the description's `lifetimes` for what it omits. */
function parseStandardTokenAnswer(
  this: ProviderDescription,
  body: unknown,
  now: number,
  previous?: TokenSet,
): TokenSet {
  // `this`, so that a description spread from this one with other lifetimes uses them.
  return tokenSetFromOAuthAnswer(body, now, this.lifetimes ?? { refreshTokenTtlMs: 0 }, previous);
}

/**
 * A complete, frozen {@link ProviderDescription} from what differs: scopes none, the token request
 * form-encoded with the client in the body ({@link oauthTokenRequest}), the standard token answer
 * (with `lifetimes` for what it omits), the access token as `Authorization: Bearer`. A provider
 * with a `userPath` must say how to read its profile (`parseProfile`).
 *
 * @throws TypeError when `userPath` is set without `parseProfile`.
 * @example
 * const acme = defineProvider({
 *   name: 'acme',
 *   baseURL: 'https://id.acme.example',
 *   authorizationPath: '/authorize',
 *   tokenPath: '/token',
 *   userPath: '/me',
 *   parseProfile: (body) => ({ provider: 'acme', id: String(body.sub), name: body.name, email: null, emailVerified: false, raw: body }),
 * });
 */
export function defineProvider(spec: ProviderSpec): ProviderDescription {
  if (spec.userPath !== undefined && typeof spec.parseProfile !== 'function') {
    throw new TypeError(`passport-synergyflow: provider "${spec.name}" has a userPath, so it needs parseProfile.`);
  }
  const name = spec.name;
  return Object.freeze({
    defaultScope: Object.freeze([]),
    tokenRequest: oauthTokenRequest,
    parseTokenAnswer: parseStandardTokenAnswer,
    authorizationHeaders: (tokens: TokenSet) => ({ authorization: `Bearer ${tokens.accessToken}` }),
    parseProfile(): SynergyFlowProfile {
      throw new TypeError(`passport-synergyflow: provider "${name}" has no profile endpoint.`);
    },
    ...spec,
  });
}
