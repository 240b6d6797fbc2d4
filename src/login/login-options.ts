import type { Request } from 'express';
import { LOGIN_OPTIONS, refuseUnknownOptions } from '../option-names.js';
import type { ResolvedConfig } from '../resolved-config.js';
import { queryOf } from '../util/http.js';
import { resolveRedirect } from './return-to.js';

/** Per-login authorization options, chosen by the app with `auth.login(options)`. */
export interface LoginOptions {
  /**
   * Scopes for this login instead of the configured `scope` (incremental consent: the
   * configured ones plus what the feature needs). Scope tokens only (RFC 6749 §3.3).
   */
  scope?: string | readonly string[];
  /**
   * `'login'` makes the provider ask the user to sign in again (re-authentication before a
   * sensitive action); `'consent'` shows the consent screen again; `'none'` shows no page at
   * all: a user signed in at the provider who approved before comes back logged in, anyone else
   * comes back with a failed login (`login_required`, `consent_required` or
   * `interaction_required`).
   */
  prompt?: LoginPrompt;
  /** Pre-fills the provider's sign-in form (an e-mail address or user name). */
  loginHint?: string;
  /** Where to land after this login: a path on this site, or a URL on a trusted origin. */
  returnTo?: string;
}

/** The `prompt` values a login may send (OpenID Connect's, which the provider honours). */
export type LoginPrompt = 'login' | 'consent' | 'none';

/** A login's checked options, as the login route hands them to Passport. */
export interface LoginChoice {
  readonly scope?: readonly string[] | undefined;
  readonly prompt?: LoginPrompt | undefined;
  /** A silent renewal attempt (`prompt=none` started by `silentRenewal`). */
  readonly silent?: boolean | undefined;
  readonly loginHint?: string | undefined;
  readonly returnTo?: string | undefined;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;
const PROMPTS = new Set(['login', 'consent', 'none']);
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const HINT = /^[^\x00-\x1f\x7f]{1,256}$/;

/** Scope tokens as a list, or `undefined` when any is not a scope token (or there are too many). */
export function scopeTokens(value: unknown): readonly string[] | undefined {
  const list = typeof value === 'string' ? value.split(' ').filter(Boolean) : value;
  if (!Array.isArray(list) || list.length === 0 || list.length > 32) return undefined;
  if (!list.every((s): s is string => typeof s === 'string' && SCOPE_TOKEN.test(s))) return undefined;
  return Object.freeze([...new Set(list)]);
}

function fail(option: string, requirement: string): never {
  throw new TypeError(`passport-synergyflow: auth.login() option "${option}" ${requirement}.`);
}

/** Checks the options of `auth.login(options)` once, when the middleware is built. */
export function resolveLoginOptions(options: LoginOptions, config: ResolvedConfig): LoginChoice {
  if (typeof options !== 'object' || options === null) fail('options', 'must be an object');
  refuseUnknownOptions(options, LOGIN_OPTIONS, 'auth.login() ');
  const scope = options.scope === undefined ? undefined : scopeTokens(options.scope);
  if (options.scope !== undefined && !scope) fail('scope', 'must be a non-empty list of scope tokens');
  if (options.prompt !== undefined && !PROMPTS.has(options.prompt))
    fail('prompt', 'must be "login", "consent" or "none"');
  if (options.loginHint !== undefined && !(typeof options.loginHint === 'string' && HINT.test(options.loginHint))) {
    fail('loginHint', 'must be a string of 1 to 256 printable characters');
  }
  const returnTo =
    options.returnTo === undefined ? undefined : resolveRedirect(options.returnTo, config.trustedOrigins);
  if (options.returnTo !== undefined && !returnTo)
    fail('returnTo', 'must be a path on this site or a URL on a trusted origin');
  return Object.freeze({ scope, prompt: options.prompt, loginHint: options.loginHint, returnTo });
}

function single(req: Request, name: string): string | undefined {
  const value = queryOf(req)[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The options of one login: the app's `choice` first, then what `/login?…` may add. The query
 * is an attacker's to write, so it only counts for parameters the `loginParams` option lists, a
 * requested scope must be among `scope` and `extraScopes`, and anything malformed is dropped.
 * `returnTo` is always read (same-origin paths and trusted origins only).
 */
export function loginChoice(
  req: Request,
  config: ResolvedConfig,
  choice: LoginChoice = {},
): LoginChoice & { dropped: string[] } {
  const dropped: string[] = [];
  const allowed = new Set<string>(config.loginParams);
  const read = <T>(name: string, parse: (raw: string) => T | undefined): T | undefined => {
    const raw = single(req, name);
    if (raw === undefined && queryOf(req)[name] === undefined) return undefined;
    const value = raw !== undefined && allowed.has(name) ? parse(raw) : undefined;
    if (value === undefined) dropped.push(name);
    return value;
  };
  const offered = new Set([...config.scope, ...config.extraScopes]);
  const rawReturnTo = queryOf(req).returnTo;
  const returnTo = choice.returnTo ?? resolveRedirect(rawReturnTo, config.trustedOrigins);
  if (rawReturnTo !== undefined && returnTo === undefined) dropped.push('returnTo');
  return {
    scope:
      choice.scope ??
      read('scope', (raw) => {
        const list = scopeTokens(raw);
        return list?.every((s) => offered.has(s)) ? list : undefined;
      }),
    prompt: choice.prompt ?? read('prompt', (raw) => (PROMPTS.has(raw) ? (raw as LoginPrompt) : undefined)),
    loginHint: choice.loginHint ?? read('login_hint', (raw) => (HINT.test(raw) ? raw : undefined)),
    returnTo,
    dropped,
  };
}

/** The extra authorization-request parameters of a login (passport-oauth2's `authorizationParams`). */
export function authorizationParams(options: Record<string, unknown>): Record<string, string> {
  const params: Record<string, string> = {};
  if (typeof options.prompt === 'string' && PROMPTS.has(options.prompt)) params.prompt = options.prompt;
  if (typeof options.loginHint === 'string' && HINT.test(options.loginHint)) params.login_hint = options.loginHint;
  return params;
}
