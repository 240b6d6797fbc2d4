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

/**
 * The option names of each options object, as data. Their own modules import this file, so it
 * imports none of theirs (no cycle): `test/unit/option-lists.test.ts` proves at compile time that
 * each list is exactly the keys of its interface, so adding an option without its name fails
 * `npm run typecheck`.
 */

/** The options of `requireUser()` (`RequireUserOptions`). */
export const REQUIRE_USER_OPTIONS = ['profileTtlSeconds', 'serveStaleOnRateLimit', 'antiForgery'] as const;
/** The options of `errorHandler()` (`ErrorHandlerOptions`). */
export const ERROR_HANDLER_OPTIONS = ['renderPage'] as const;
/** The options of `auth.login()` (`LoginOptions`). */
export const LOGIN_OPTIONS = ['scope', 'prompt', 'loginHint', 'returnTo'] as const;
/** The options of `RedisTokenStore` (`RedisTokenStoreOptions`). */
export const REDIS_TOKEN_STORE_OPTIONS = [
  'client',
  'prefix',
  'encryptionKeys',
  'ttlSeconds',
  'commandTimeoutSeconds',
] as const;
/** The options of `RedisCoordinator`, formerly `RedisRefreshLock` (`RedisCoordinatorOptions`). */
export const REDIS_COORDINATOR_OPTIONS = ['client', 'prefix', 'lockTtlSeconds', 'commandTimeoutSeconds'] as const;
/** The keys of `synergyFlow()`'s `routes` option. */
export const ROUTE_NAMES = ['login', 'callback', 'logout'] as const;
/** The hooks of `synergyFlow()`'s `hooks` option (`Hooks`). */
export const HOOK_NAMES = [
  'onLogin',
  'onRefresh',
  'onRefreshFailed',
  'onRateLimited',
  'onLogout',
  'onTokenStoreFailed',
  'onStaleTokenServed',
  'onRevoke',
] as const;

function nested(value: unknown, option: string, known: readonly string[]): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null) {
    const error = new TypeError(`passport-synergyflow: option "${option}" must be an object.`);
    throw Object.assign(error, { code: 'ERR_INVALID_ARG_VALUE' });
  }
  refuseUnknownOptions(value, known, '', `${option}.`);
}

/** The objects inside `synergyFlow()`'s options: `routes.logut`, `hooks.onLogon` are refused too. */
export function refuseUnknownNestedOptions(options: { readonly routes?: unknown; readonly hooks?: unknown }): void {
  nested(options.routes, 'routes', ROUTE_NAMES);
  nested(options.hooks, 'hooks', HOOK_NAMES);
}
