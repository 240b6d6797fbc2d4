import type { Hooks } from './hooks.js';
import type { LoginOptions } from './login/login-options.js';
import type { SynergyFlowOptions } from './options.js';
import type { ErrorHandlerOptions } from './protect/error-handler.js';
import type { RequireUserOptions } from './protect/require-user.js';
import type { RedisCoordinatorOptions } from './redis/redis-coordinator.js';
import type { RedisTokenStoreOptions } from './redis/redis-token-store.js';

/**
 * Refusing unknown option names. Plain JavaScript (and TypeScript with a spread or a cast)
 * passes misspelled options silently: `timeout: 5` for `timeoutSeconds` would leave the default
 * in force with nothing said. Every options object is checked against its list of names, and
 * the closest valid name is suggested.
 */

/** Edit distance between `a` and `b` (insertions, deletions, substitutions), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= y.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[y.length] ?? 0;
}

/**
 * The known name `name` most likely meant, or `undefined` when none is close. A name that a
 * known one starts with (`timeout` → `timeoutSeconds`, `encryptionKey` → `encryptionKeys`) wins;
 * otherwise the nearest within a third of its length (typos: `clientId`, `callbackUrl`).
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  if (lower.length >= 3) {
    const extended = known.filter((candidate) => candidate.toLowerCase().startsWith(lower));
    const shortest = extended.sort((a, b) => a.length - b.length)[0];
    if (shortest !== undefined) return shortest;
  }
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Throws a `TypeError` (`code: 'ERR_INVALID_ARG_VALUE'`, like every bad option) for the first
 * own property of `options` that `known` does not list, naming the closest valid one.
 *
 * @param owner what takes the options, for the message: `''` for `synergyFlow()`,
 *   `'requireUser() '`, `'RedisTokenStore '`.
 * @param prefix the path of a nested object (`'routes.'`), for the message.
 */
export function refuseUnknownOptions(options: object, known: readonly string[], owner = '', prefix = ''): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const guess = closestName(name, known);
    const hint =
      guess === undefined
        ? ` (known: ${known.map((n) => `"${prefix}${n}"`).join(', ')})`
        : ` (did you mean "${prefix}${guess}"?)`;
    const error = new TypeError(`passport-synergyflow: unknown ${owner}option "${prefix}${name}"${hint}.`);
    Object.assign(error, { code: 'ERR_INVALID_ARG_VALUE' });
    throw error;
  }
}

/** The names of a type's keys, complete and nothing else (the compiler checks the record). */
export const namesOf = <T>(record: Record<keyof T, true>): readonly string[] => Object.freeze(Object.keys(record));

/** The options of `requireUser()`. */
export const REQUIRE_USER_OPTIONS = namesOf<RequireUserOptions>({
  profileTtlSeconds: true,
  serveStaleOnRateLimit: true,
  antiForgery: true,
});
/** The options of `errorHandler()`. */
export const ERROR_HANDLER_OPTIONS = namesOf<ErrorHandlerOptions>({ renderPage: true });
/** The options of `auth.login()`. */
export const LOGIN_OPTIONS = namesOf<LoginOptions>({ scope: true, prompt: true, loginHint: true, returnTo: true });
/** The options of `RedisTokenStore`. */
export const REDIS_TOKEN_STORE_OPTIONS = namesOf<RedisTokenStoreOptions>({
  client: true,
  prefix: true,
  encryptionKeys: true,
  ttlSeconds: true,
  commandTimeoutSeconds: true,
});
/** The options of `RedisCoordinator` (formerly `RedisRefreshLock`). */
export const REDIS_COORDINATOR_OPTIONS = namesOf<RedisCoordinatorOptions>({
  client: true,
  prefix: true,
  lockTtlSeconds: true,
  commandTimeoutSeconds: true,
});

const ROUTE_NAMES = namesOf<NonNullable<SynergyFlowOptions['routes']>>({ login: true, callback: true, logout: true });
const HOOK_NAMES = namesOf<Hooks>({
  onLogin: true,
  onRefresh: true,
  onRefreshFailed: true,
  onRateLimited: true,
  onLogout: true,
  onTokenStoreFailed: true,
  onStaleTokenServed: true,
  onRevoke: true,
});

function nested(value: unknown, option: string, known: readonly string[]): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null) {
    const error = new TypeError(`passport-synergyflow: option "${option}" must be an object.`);
    throw Object.assign(error, { code: 'ERR_INVALID_ARG_VALUE' });
  }
  refuseUnknownOptions(value, known, '', `${option}.`);
}

/** The objects inside `synergyFlow()`'s options: `routes.logut`, `hooks.onLogon` are refused too. */
export function refuseUnknownNestedOptions(options: SynergyFlowOptions): void {
  nested(options.routes, 'routes', ROUTE_NAMES);
  nested(options.hooks, 'hooks', HOOK_NAMES);
}

/** Every option's name, and nothing else: the compiler checks this list against the interface. */
export const OPTION_NAMES = namesOf<SynergyFlowOptions>({
  clientID: true,
  clientSecret: true,
  callbackURL: true,
  baseURL: true,
  provider: true,
  issuer: true,
  scope: true,
  routes: true,
  loginURL: true,
  successRedirect: true,
  failureRedirect: true,
  logoutRedirect: true,
  verify: true,
  loginParams: true,
  extraScopes: true,
  refreshSkewSeconds: true,
  profileTtlSeconds: true,
  timeoutSeconds: true,
  requestTimeoutSeconds: true,
  refreshLockWaitSeconds: true,
  maxBodyBytes: true,
  maxRetryAfterSeconds: true,
  maxPendingLogins: true,
  loginTimeoutSeconds: true,
  tokenStore: true,
  coordinator: true,
  refreshLock: true,
  idleTimeoutSeconds: true,
  absoluteTimeoutSeconds: true,
  antiForgery: true,
  revocationWaitSeconds: true,
  silentRenewal: true,
  trustedOrigins: true,
  hooks: true,
  fetch: true,
  allowInsecureRequests: true,
  production: true,
  clock: true,
});
