import type { Request } from 'express';
import type {} from 'express-session';
import type { SynergyFlowProfile } from '../provider/profile.js';
import type { ProfileReader } from './profile-reader.js';

/**
 * The one module that reads and writes the package's key in the session (`synergyflow`). Every
 * other module asks it: the login (who is logged in), the token store's footprint, the cached
 * profile, when the token falls due, and the pending logins. What the app's Passport serializers
 * keep (`req.session.passport`) is the app's; this state does not depend on it.
 */

/** A login started by `GET /login`, waiting for its callback. */
export interface LoginTransaction {
  /** PKCE code verifier, sent only to the token endpoint. */
  readonly verifier: string;
  /** Same-origin path (or trusted-origin URL) to land on after login. */
  readonly returnTo: string | undefined;
  /** Scopes this login asked for, when they differ from the configured ones. */
  readonly scope?: readonly string[] | undefined;
  /** When the login started (milliseconds since the epoch). */
  readonly createdAt: number;
  /** Hash of the browser's login-binding cookie; the callback must present the same cookie. */
  readonly binding: string;
}

/** Everything the package keeps in the session, under one key. */
interface AuthSessionState {
  /** The provider's id of the user logged in (the subject), present exactly while a login lasts. */
  sub?: string;
  /** When the login began (only with an absolute lifetime configured). */
  at?: number;
  /** When the login was last used, to the minute (only with an idle lifetime configured). */
  seen?: number;
  /**
   * The token store's footprint: the one string it keeps in the session (`SessionTokenStore`:
   * the token set as JSON text; `RedisTokenStore`: the key naming it). See {@link tokenFootprint}.
   */
  tokens?: string;
  /** Until when the token store keeps the token set (a store that expires it with the session). */
  kept?: number;
  /** The provider's answer behind the last profile loaded, as JSON text (see {@link cachedProfile}). */
  profile?: string;
  /** When `profile` was loaded. */
  profileLoadedAt?: number;
  /**
   * When the stored access token falls due for refresh (`null`: its expiry is unknown), as last
   * seen. Lets `requireUser()` skip the token store when the handler does not need the token.
   */
  tokensDueAt?: number | null;
  /** Pending logins, keyed by their `state`. */
  transactions?: Record<string, LoginTransaction>;
}

declare module 'express-session' {
  interface SessionData {
    synergyflow?: AuthSessionState;
  }
}

/** The package's key in the session. */
const KEY = 'synergyflow';

const MISSING_SESSION =
  'passport-synergyflow needs a session: mount express-session (app.use(session({...}))) before the auth routes and requireUser().';

/** A session's data as a plain record, for the few places that look at it whole. */
type SessionRecord = Record<string, unknown> & { [KEY]?: AuthSessionState };

function stateOf(req: Request): AuthSessionState | undefined {
  if (!req.session) throw new Error(MISSING_SESSION);
  return req.session.synergyflow;
}

function writableState(req: Request): AuthSessionState {
  if (!req.session) throw new Error(MISSING_SESSION);
  req.session.synergyflow ??= {};
  return req.session.synergyflow;
}

// ---- The login ------------------------------------------------------------------------------

/** The provider's id of the user logged in through this package on this session, or `undefined`. */
export function loggedInSubject(req: Request): string | undefined {
  return req.session?.synergyflow?.sub;
}

/** True when the session data `data` (as a store holds it) carries a login of this package. */
export function holdsLogin(data: unknown): boolean {
  return typeof (data as SessionRecord | null | undefined)?.[KEY]?.sub === 'string';
}

/** Records the login of `sub`, right after Passport logged the user in (and regenerated the session). */
export function recordLogin(req: Request, sub: string): void {
  writableState(req).sub = sub;
}

/** When the login began and was last used, as far as the session says (see {@link stampLogin}). */
export function loginTimes(req: Request): { readonly at?: number | undefined; readonly seen?: number | undefined } {
  return req.session?.synergyflow ?? {};
}

/** Sets when the login began (`at`) or was last used (`seen`). */
export function stampLogin(req: Request, field: 'at' | 'seen', when: number): void {
  writableState(req)[field] = when;
}

/**
 * Forgets everything of the login (subject, token footprint, profile), keeping only this
 * browser's other pending logins. The token store must have removed the token set first.
 */
export function forgetLogin(req: Request): void {
  const state = req.session?.synergyflow;
  if (!state) return;
  const { transactions } = state;
  if (transactions) req.session.synergyflow = { transactions };
  else delete req.session.synergyflow;
}

// ---- The token store's footprint ----------------------------------------------------------

/**
 * The one string a token store may keep in the request's session: the token set itself (the
 * default `SessionTokenStore`) or a key naming it elsewhere (`RedisTokenStore`). A third-party
 * `TokenStore` that needs to find a login's tokens keeps its key here too, so that logging out
 * and a new login (which regenerates the session) forget it with everything else.
 */
export interface TokenFootprint {
  /** The store's string, or `undefined` when it keeps none for this session. */
  read(): string | undefined;
  /** Keeps `value` as the store's string. */
  write(value: string): void;
  /** Forgets the store's string. */
  clear(): void;
}

/** The token store's footprint in the request's session (see {@link TokenFootprint}). */
export function tokenFootprint(req: Request): TokenFootprint {
  return {
    read: () => stateOf(req)?.tokens,
    write: (value) => void (writableState(req).tokens = value),
    clear: () => {
      const state = stateOf(req);
      delete state?.tokens;
      delete state?.kept;
    },
  };
}

/** Until when the token store said it keeps the request's token set (see {@link noteTokensKept}). */
export function tokensKeptUntil(req: Request): number | undefined {
  return req.session?.synergyflow?.kept;
}

/**
 * Notes until when the token store keeps the request's token set (milliseconds since the epoch),
 * so it can tell, without a store call, when the session is about to outlive it.
 */
export function noteTokensKept(req: Request, until: number): void {
  writableState(req).kept = until;
}

/** The token footprint in session data `data` as a store holds it (for the save guard's reconcile). */
export function storedFootprint(data: unknown): string | undefined {
  return (data as SessionRecord | null | undefined)?.[KEY]?.tokens;
}

/** Replaces the token footprint of the session data `data` about to be saved. */
export function replaceFootprint(data: unknown, value: string): void {
  const state = (data as SessionRecord | null | undefined)?.[KEY];
  if (state) state.tokens = value;
}

// ---- When the tokens fall due --------------------------------------------------------------

/** Notes when the request's token set falls due, so later requests can skip reading it. */
export function noteTokensDue(req: Request, dueAt: number | undefined): void {
  const state = writableState(req);
  const value = dueAt ?? null;
  // Unchanged values are not written: express-session would otherwise save the session.
  if (state.tokensDueAt !== value) state.tokensDueAt = value;
}

/**
 * True when the session says the stored access token is not due at `now`, so a request that does
 * not use the token needs no token-store read. The store stays the truth: whenever the token is
 * used, it is read (and refreshed) through the token path.
 */
export function tokensKnownUsable(req: Request, now: number): boolean {
  const dueAt = req.session?.synergyflow?.tokensDueAt;
  return dueAt === null || (dueAt !== undefined && now < dueAt);
}

/** When the stored access token falls due, as last noted (`null`: unknown expiry; `undefined`: never noted). */
export function tokensDueAt(req: Request): number | null | undefined {
  return req.session?.synergyflow?.tokensDueAt;
}

// ---- The cached profile ---------------------------------------------------------------------

// The profile read from the text, and that text, kept on the session state under symbols, which
// JSON (and so every store) ignores. The state is a fresh object each time the session loads, so
// the text is read once per request and the profile is never shared between requests.
const READ_TEXT = Symbol('passport-synergyflow: profile text read');
const READ_PROFILE = Symbol('passport-synergyflow: profile read');

interface ReadProfile {
  [READ_TEXT]?: string;
  [READ_PROFILE]?: SynergyFlowProfile | undefined;
}

/**
 * The profile cached in the request's session, or `undefined` (none, or unreadable: it is then
 * loaded again, see `restore-profile.ts`). The same object for the whole request.
 *
 * The session keeps only the provider's answer, as text, and the profile is made from it again
 * by the provider's own `parseProfile` (once per process for each text: {@link ProfileReader}).
 * express-session parses the whole session, hashes it twice and, with a store that has `touch`,
 * serialises it again on every request, so every byte and every key kept there costs each
 * request several passes. One string is a single value to each of those passes, and the answer
 * alone is half the size of the profile that contains it.
 */
export function cachedProfile(req: Request, reader: ProfileReader): SynergyFlowProfile | undefined {
  const state = req.session?.synergyflow as (AuthSessionState & ReadProfile) | undefined;
  const text = state?.profile;
  if (state === undefined || typeof text !== 'string') return undefined;
  if (state[READ_TEXT] === text) return state[READ_PROFILE];
  state[READ_TEXT] = text;
  return (state[READ_PROFILE] = reader.read(text));
}

/** True when a profile text is cached (readable or not). */
export function holdsProfile(req: Request): boolean {
  return typeof req.session?.synergyflow?.profile === 'string';
}

/** When the cached profile was loaded, or `undefined` when it is stale or there is none. */
export function profileLoadedAt(req: Request): number | undefined {
  return req.session?.synergyflow?.profileLoadedAt;
}

/** Caches a profile just loaded from the provider in the session, with when it was loaded. */
export function cacheProfile(req: Request, profile: SynergyFlowProfile, loadedAt: number): void {
  const state: AuthSessionState & ReadProfile = writableState(req);
  const text = JSON.stringify(profile.raw);
  state.profile = text;
  state[READ_TEXT] = text;
  state[READ_PROFILE] = profile;
  state.profileLoadedAt = loadedAt;
}

/** Marks the cached profile stale (it is reloaded next time, and still served while rate-limited). */
export function markProfileStale(req: Request): void {
  const state = req.session?.synergyflow;
  if (state) delete state.profileLoadedAt;
}

/** Forgets what the session knows of the login's tokens and the cached profile (the login stays). */
export function forgetTokensAndProfile(req: Request): void {
  const state = req.session?.synergyflow;
  if (!state) return;
  delete state.profile;
  delete state.profileLoadedAt;
  delete state.tokensDueAt;
}

// ---- Pending logins -------------------------------------------------------------------------

/** The session's pending logins (read-only), or `undefined`. */
export function pendingLogins(req: Request): Readonly<Record<string, LoginTransaction>> | undefined {
  return stateOf(req)?.transactions;
}

/** Replaces the session's pending logins (`undefined`: none). */
export function setPendingLogins(req: Request, transactions: Record<string, LoginTransaction> | undefined): void {
  if (transactions) writableState(req).transactions = transactions;
  else delete stateOf(req)?.transactions;
}

// ---- The session as a whole -----------------------------------------------------------------

/**
 * True when the session holds nothing but the cookie and the package's pending logins: a session
 * created only to carry a login attempt.
 */
export function holdsOnlyPendingLogins(req: Request): boolean {
  const session = req.session as unknown as SessionRecord | undefined;
  if (!session) return false;
  return Object.keys(session).every((key) => key === 'cookie' || (key === KEY && session[KEY]?.sub === undefined));
}

/** The app's own keys of the session (everything but the cookie and the package's state). */
export function appSessionData(req: Request): Record<string, unknown> {
  const session = req.session as unknown as SessionRecord | undefined;
  if (!session) throw new Error(MISSING_SESSION);
  return Object.fromEntries(Object.entries(session).filter(([key]) => key !== 'cookie' && key !== KEY));
}
