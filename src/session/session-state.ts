import type { Request } from 'express';
import type {} from 'express-session';
import type { SynergyFlowProfile } from '../provider/profile.js';
import type { TokenSet } from '../tokens/token-set.js';

/** A login started by `GET /login`, waiting for its callback. */
export interface LoginTransaction {
  /** PKCE code verifier, sent only to the token endpoint. */
  readonly verifier: string;
  /** Same-origin path to land on after login. */
  readonly returnTo: string | undefined;
  /** When the login started (milliseconds since the epoch). */
  readonly createdAt: number;
  /** Hash of the browser's login-binding cookie; the callback must present the same cookie. */
  readonly binding: string;
}

/** Everything the package keeps in the session, under one key. */
export interface AuthSessionState {
  /** Pending logins, keyed by their `state`. */
  transactions?: Record<string, LoginTransaction>;
  /** The token set, when the default {@link SessionTokenStore} is used. */
  tokens?: TokenSet;
  /** Opaque id naming this login's token set in an external token store. */
  tokenKey?: string;
  /** The last profile loaded from the provider. */
  profile?: SynergyFlowProfile;
  /** When `profile` was loaded. */
  profileLoadedAt?: number;
}

declare module 'express-session' {
  interface SessionData {
    synergyflow?: AuthSessionState;
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

/** Forgets the cached profile; with `staleOnly`, keeps it to serve while rate-limited. */
export function forgetProfile(req: Request, options: { staleOnly?: boolean } = {}): void {
  const state = req.session?.synergyflow;
  if (!state) return;
  delete state.profileLoadedAt;
  if (!options.staleOnly) delete state.profile;
}
