import type { Request } from 'express';
import type { AuthParts } from '../parts.js';
import { isProfile, type SynergyFlowProfile } from '../provider/profile.js';
import { reloadProfile } from '../session/restore-profile.js';
import { cachedProfile, loggedInSubject } from '../session/session-state.js';
import { deserializeThroughChain, runsSerializerChains, serializeThroughChain } from '../seams/passport.js';
import type { PassportInstance } from './passport-instance.js';

/**
 * What the package's serializer stores in Passport's entry for a login that no serializer of the
 * app takes: `sf:<provider>` for a profile user, or the provider's name with the app's own user
 * when a `verify` function made one (kept as JSON). Who is logged in lives in the package's own
 * session state, not here; the entry is short because every request parses and hashes it.
 */
type OwnEntry = string | { sf: string; user: unknown };

const profileEntry = (provider: string): string => `sf:${provider}`;

function isOwnEntry(value: unknown, provider: string): value is OwnEntry {
  if (value === profileEntry(provider)) return true;
  return typeof value === 'object' && value !== null && (value as { sf?: unknown }).sf === provider;
}

/** Users being shown to the app's serializers, which the package's own serializer then passes on. */
const probing = new WeakSet<object>();

/**
 * Registers the package's serializer and deserializer on `passport`, so that a SynergyFlow login
 * fits the app whatever it already does and whatever the order:
 *
 * - **The app serializes its users** (`serializeUser((user, done) => done(null, user.id))`): what
 *   `verify` returned goes through the app's serializers, and the app's `deserializeUser` decides
 *   `req.user` on every request. The package's serializer hands such users on (`'pass'`), whether
 *   it was registered before the app's or after.
 * - **It does not** (or its serializers pass on these users): the package keeps the user in
 *   Passport's entry and restores it itself, from the cached profile (or the app's user from
 *   `verify`, as JSON).
 *
 * Either way the login itself (who, tokens, profile) is the package's own session state.
 */
export function registerSerializers(passport: PassportInstance, parts: AuthParts): void {
  const provider = parts.config.provider.name;
  const profileOf = (user: Express.User): SynergyFlowProfile | undefined =>
    parts.loginUsers.get(user) ?? (isProfile(user, provider) ? user : undefined);
  const serialize = (req: Request, user: Express.User, done: (err: unknown, stored?: unknown) => void): void => {
    const profile = profileOf(user);
    if (!profile || probing.has(user)) return done('pass');
    // Would the app's own serializers take this user? Ask the whole chain, passing on it here.
    probing.add(user);
    serializeThroughChain(passport, user, req).then(
      (stored) => finish(stored !== undefined && stored !== null),
      () => finish(false),
    );
    function finish(appTakesIt: boolean): void {
      probing.delete(user);
      if (appTakesIt) return done('pass');
      done(null, (user === profile ? profileEntry(provider) : { sf: provider, user }) satisfies OwnEntry);
    }
  };
  passport.serializeUser(serialize as unknown as (user: Express.User, done: (err: unknown) => void) => void);
  passport.deserializeUser(
    (req: Request, stored: unknown, done: (err: unknown, user?: Express.User | false) => void) => {
      if (!isOwnEntry(stored, provider)) return done('pass');
      const sub = loggedInSubject(req);
      if (sub === undefined) return done(null, false);
      if (typeof stored === 'object') return done(null, stored.user as Express.User);
      const profile = cachedProfile(req, parts.profiles);
      if (profile) return done(null, profile.id === sub ? (profile as Express.User) : false);
      // No readable profile (a damaged store entry, or one forgotten): load it with the login's tokens.
      reloadProfile(parts, req, sub).then((reloaded) => done(null, reloaded as Express.User | false), done);
    },
  );
}

const LINK_FIX =
  "pass a verify function to synergyFlow() that returns your app's user for the SynergyFlow profile (find or create it by profile.id), so your serializers store your own id";

/**
 * Checks, before a login is stored, that the app's serializers can carry it: when they take the
 * user, their `deserializeUser` must give a user back (otherwise every request after the login
 * would be logged out and the browser would loop between the app and the provider), and the
 * profile itself must not pass for one of the app's own users (its provider id read as a local
 * id). Answers the problem, naming the line to change, or `undefined`.
 */
export async function serializersProblem(
  passport: PassportInstance,
  parts: AuthParts,
  req: Request,
  user: Express.User,
  profile: SynergyFlowProfile,
): Promise<string | undefined> {
  // A wrapper around Passport: its chains cannot be run, so the package's serializer takes the user.
  if (!runsSerializerChains(passport)) return undefined;
  let stored: unknown;
  try {
    stored = await serializeThroughChain(passport, user, req);
  } catch (error) {
    return `no Passport serializer stored the user verify returned (${(error as Error)?.message ?? 'error'}). Fix: let your serializeUser answer done('pass') for users it does not know, or ${LINK_FIX}.`;
  }
  if (isOwnEntry(stored, parts.config.provider.name)) return undefined;
  let restored: Express.User | false;
  try {
    restored = await deserializeThroughChain(passport, stored, req);
  } catch (error) {
    restored = false;
    if (!(error instanceof Error)) return `your deserializeUser failed on what your serializeUser stored.`;
  }
  if (user === profile && !(isProfile(restored, parts.config.provider.name) && restored.id === profile.id)) {
    return `your app's serializeUser stored the SynergyFlow profile (no verify option maps it to your users), so your deserializeUser would read the provider's user id as one of your own ids. Fix: ${LINK_FIX}.`;
  }
  if (!restored) {
    return `your serializeUser stored ${JSON.stringify(stored)?.slice(0, 80)} for the user verify returned, but your deserializeUser gives no user back for it, so every request after the login would be logged out and the browser would loop. Fix: make deserializeUser find that user, or ${LINK_FIX}.`;
  }
  const ids = [(user as { id?: unknown }).id, (restored as { id?: unknown }).id];
  if (ids.every((id) => typeof id === 'string' || typeof id === 'number') && String(ids[0]) !== String(ids[1])) {
    return `your deserializeUser restores another user (id ${String(ids[1])}) than the one verify returned (id ${String(ids[0])}). Fix: make serializeUser and deserializeUser agree on your users' ids.`;
  }
  return undefined;
}
