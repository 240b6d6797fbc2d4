import type { Request } from 'express';
import type {} from 'express-session';
import type { SynergyFlowProfile } from '../provider/profile.js';
import type { ProfileReader } from './profile-reader.js';

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
export interface AuthSessionState {
  /** Pending logins, keyed by their `state`. */
  transactions?: Record<string, LoginTransaction>;
  /**
   * The token set as JSON text, when the default `SessionTokenStore` is used (read it with
   * `sessionTokens`, which says why text).
   */
  tokens?: string;
  /** Opaque id naming this login's token set in an external token store. */
  tokenKey?: string;
  /**
   * The provider's answer behind the last profile loaded, as JSON text (read it with
   * {@link cachedProfile}, which says why).
   */
  profile?: string;
  /** When `profile` was loaded. */
  profileLoadedAt?: number;
  /**
   * When the stored access token falls due for refresh (`null`: its expiry is unknown), as last
   * seen. Lets `requireUser()` skip the token store when the handler does not need the token.
   */
  tokensDueAt?: number | null;
}

declare module 'express-session' {
  interface SessionData {
    synergyflow?: AuthSessionState;
    /** Passport's entry: for a SynergyFlow login, a {@link SerializedUser}. */
    passport?: { user?: unknown };
  }
}

const MISSING_SESSION =
  'passport-synergyflow needs a session: mount express-session (app.use(session({...}))) before the auth routes and requireUser().';

/** The package's state in the session, created on first use. Throws when there is no session. */
export function authState(req: Request): AuthSessionState {
  if (!req.session) throw new Error(MISSING_SESSION);
  req.session.synergyflow ??= {};
  return req.session.synergyflow;
}

/** The package's state in the session, or `undefined` when there is none yet (nothing created). */
export function peekAuthState(req: Request): AuthSessionState | undefined {
  if (!req.session) throw new Error(MISSING_SESSION);
  return req.session.synergyflow;
}

/**
 * What the session's Passport entry holds for a SynergyFlow login: the provider's name, the
 * provider's user id the profile must keep, and the app's own user when a verify function made
 * one (kept as JSON).
 */
export interface SerializedUser {
  sf: string;
  id: string;
  user?: unknown;
}

/** True for a Passport entry this package wrote. */
export function isSerializedUser(value: unknown): value is SerializedUser {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SerializedUser).sf === 'string' &&
    typeof (value as SerializedUser).id === 'string'
  );
}

/** The SynergyFlow login stored in the request's session by Passport, if any. */
export function storedLogin(req: Request): SerializedUser | undefined {
  const stored: unknown = req.session?.passport?.user;
  return isSerializedUser(stored) ? stored : undefined;
}

/** Notes when the request's token set falls due, so later requests can skip reading it. */
export function noteTokensDue(req: Request, dueAt: number | undefined): void {
  const state = authState(req);
  const value = dueAt ?? null;
  // Unchanged values are not written: express-session would otherwise save the session.
  if (state.tokensDueAt !== value) state.tokensDueAt = value;
}

/**
 * True when the session says the stored access token is not due at `now`, so a request that does
 * not use the token needs no token-store read. The store stays the truth: whenever the token is
 * used, it is read (and refreshed) through the token path.
 */
export function tokensKnownUsable(state: AuthSessionState, now: number): boolean {
  const dueAt = state.tokensDueAt;
  return dueAt === null || (dueAt !== undefined && now < dueAt);
}

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
 * The profile cached in the request's session, or `undefined` (none, or unreadable: Passport's
 * deserializer then loads it again, see `restore-profile.ts`). The same object for the whole
 * request.
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

/** Caches a profile just loaded from the provider in the session, with when it was loaded. */
export function cacheProfile(req: Request, profile: SynergyFlowProfile, loadedAt: number): void {
  const state: AuthSessionState & ReadProfile = authState(req);
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

/** Forgets what the session knows of the login's tokens and the cached profile. */
export function forgetTokensAndProfile(req: Request): void {
  const state = req.session?.synergyflow;
  if (!state) return;
  delete state.profile;
  delete state.profileLoadedAt;
  delete state.tokensDueAt;
}
