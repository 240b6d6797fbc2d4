import { isCoordinator, type Coordinator } from './coordination/coordinator.js';
import { MemoryCoordinator } from './coordination/memory-coordinator.js';
import { resolveRedirect } from './login/return-to.js';

/*
 * The checks of the options `resolveOptions` resolves by hand (numbers, flags and functions are
 * checked from their declarations, in `option-declarations.ts`): every failure is a `TypeError`
 * (`code: 'ERR_INVALID_ARG_VALUE'`) that names the option and what it must be.
 */

/** Throws the `TypeError` of a bad option, naming it and what it must be. */
export function fail(option: string, requirement: string): never {
  const error = new TypeError(`passport-synergyflow: option "${option}" ${requirement}.`);
  Object.assign(error, { code: 'ERR_INVALID_ARG_VALUE' });
  throw error;
}

/** A non-empty string. */
export function text(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(option, 'must be a non-empty string');
  return value;
}

/** A path on this site (one leading `/`, never `//`); `fallback` when absent. */
export function localPath(value: unknown, option: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\/(?![/\\])/.test(value)) {
    fail(option, 'must be a path on this site starting with a single "/"');
  }
  return value;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An absolute http(s) URL without fragment; https outside localhost when `secureRequired`. */
export function absoluteURL(value: string, option: string, secureRequired: boolean): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(option, `must be an absolute URL (got ${JSON.stringify(value.slice(0, 100))})`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(option, 'must be an http(s) URL');
  if (url.hash) fail(option, 'must not contain a fragment');
  if (secureRequired && url.protocol !== 'https:' && !LOOPBACK.has(url.hostname)) {
    fail(option, 'must use https outside localhost in production (set allowInsecureRequests only in test rigs)');
  }
  return url;
}

/** An issuer identifier (RFC 8414): an http(s) URL without query or fragment, kept exactly as given. */
export function issuerIdentifier(value: unknown, secure: boolean): string | undefined {
  if (value === undefined) return undefined;
  const issuer = text(value, 'issuer');
  absoluteURL(issuer, 'issuer', secure);
  if (issuer.includes('?')) fail('issuer', 'must not contain a query');
  // RFC 9207 compares `iss` as a plain string, so the value is kept as given, not normalised.
  return issuer;
}

/** Scopes as a frozen list, from a list or a space-separated string; `fallback` when absent. */
export function scopeList(value: unknown, fallback: readonly string[]): readonly string[] {
  if (value === undefined) return fallback;
  const list = typeof value === 'string' ? value.split(' ').filter(Boolean) : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((s) => typeof s === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))
  ) {
    fail('scope', 'must be a non-empty list of scope tokens');
  }
  return Object.freeze([...(list as string[])]);
}

/** A local path or a URL on a trusted origin, where browsers may be sent; `fallback` when absent. */
export function redirectTarget(
  value: unknown,
  option: string,
  fallback: string,
  trustedOrigins: readonly string[],
): string {
  if (value === undefined) return fallback;
  const target = resolveRedirect(value, trustedOrigins);
  if (target === undefined) fail(option, 'must be a path on this site (one leading "/") or a URL on a trusted origin');
  return target;
}

/** The `coordinator` option (or its former name, `refreshLock`), or this instance's own in memory. */
export function coordinatorOption(options: {
  readonly coordinator?: Coordinator | undefined;
  readonly refreshLock?: Coordinator | undefined;
}): Coordinator {
  if (options.coordinator !== undefined && options.refreshLock !== undefined) {
    fail('refreshLock', 'is the former name of "coordinator": give only "coordinator"');
  }
  const given = options.coordinator ?? options.refreshLock;
  const name = options.coordinator === undefined ? 'refreshLock' : 'coordinator';
  if (given === undefined) return new MemoryCoordinator();
  if (!isCoordinator(given)) {
    fail(name, 'must be a Coordinator (acquire, note and read), such as new RedisCoordinator({ client })');
  }
  return given;
}
