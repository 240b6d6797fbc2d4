import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { SessionData, Store } from 'express-session';
import type { UnavailableReason } from '../errors.js';
import { logger } from '../log.js';
import type { AuthParts } from '../parts.js';
import { adoptSession, storedSession } from '../session/adopt-session.js';
import type { FinishedLogin } from './exchange-gate.js';
import { redirect } from '../util/http.js';

const log = logger('callback');

/**
 * How long a login's note stays: a sibling's callback reads it right after the lock is released,
 * a reload a moment later.
 */
const NOTE_MS = 30_000;

/**
 * What the session store says about a login whose code an instance took on. Kept under an id the
 * app's signed session cookies never name (`sf-moved.` and the state's hash), so no request loads
 * it as its session. Without `to`, the code is spent (or being redeemed) and the login did not
 * finish; with it, only a callback with the same code and the same browser binding may follow.
 */
interface LoginNote {
  /** SHA-256 of the code taken on. */
  readonly code: string;
  /** Until when the note counts (milliseconds since the epoch, on the package's clock). */
  readonly until: number;
  /** The session id the finished login moved to. */
  readonly to?: string;
  /** The hash of the browser's binding cookie, as the login's transaction kept it. */
  readonly binding?: string;
  /** Where the login lands. */
  readonly landing?: string;
}

/** What a callback may do once it holds its login across instances. */
export type Claim =
  /** Redeem the code; `unlock` once the answer is out. */
  | { readonly redeem: true; readonly unlock: () => Promise<void> }
  /** Another instance finished this login for this browser: follow it. */
  | { readonly redeem: false; readonly moved: FinishedLogin }
  /** The code was spent by another callback and cannot be followed: the login failed. */
  | { readonly redeem: false; readonly spent: true }
  /** The store or a sibling cannot say in time: try again in a moment, the code left alone. */
  | { readonly redeem: false; readonly unavailable: UnavailableReason };

/** The `unlock` of a claim that holds no lock. */
export const NOTHING_HELD = async (): Promise<void> => undefined;

/** SHA-256 of a callback value, base64url: the session store keeps no state or code in the clear. */
export function callbackDigest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** Lets go of a lock, whatever a custom `RefreshLock` does: a lock not released runs out with its lease. */
export async function letGo(unlock: (() => Promise<void>) | undefined): Promise<void> {
  try {
    await unlock?.();
  } catch {
    log('could not release the login lock');
  }
}

/**
 * Several instances (a `refreshLock` is configured) share the session store, so a double click
 * or reload that the load balancer sends to another instance finds the same pending login, and
 * redeeming its code twice would make a provider that revokes on code reuse kill the login. Each
 * callback therefore takes the lock named after the login's state and reads the login's note:
 * none, it marks the code spent and redeems it; a finished login for this browser, it follows;
 * a spent code, it fails. Whenever the store or the lock cannot say, it answers 503 and leaves
 * the code alone. One instance alone needs none of this (its exchange gate covers it).
 */
export async function claimLogin(parts: AuthParts, req: Request, state: string, code: string): Promise<Claim> {
  const lock = parts.config.refreshLock;
  if (!lock) return { redeem: true, unlock: NOTHING_HELD };
  let unlock: (() => Promise<void>) | undefined;
  try {
    // A callback makes two provider calls (the code, then the profile) where a refresh makes one.
    unlock = await lock.acquire(`login:${callbackDigest(state)}`, parts.config.refreshLockWaitMs * 2);
  } catch {
    return { redeem: false, unavailable: 'store_unavailable' };
  }
  const note = await readNote(req, state);
  if (note === undefined && unlock) {
    const marked = await writeNote(req, state, { code: callbackDigest(code), until: parts.config.clock() + NOTE_MS });
    if (marked) return { redeem: true, unlock };
  }
  await letGo(unlock);
  if (note === 'unreadable' || note === undefined) {
    return { redeem: false, unavailable: unlock ? 'store_unavailable' : 'login_in_progress' };
  }
  const moved = noteToFollow(parts, req, code, note);
  if (moved) return { redeem: false, moved };
  // A sibling still redeeming past the wait; or a code spent by a login that did not finish here.
  return note.to === undefined && !unlock
    ? { redeem: false, unavailable: 'login_in_progress' }
    : { redeem: false, spent: true };
}

/**
 * The finished login of `state` this request may follow (same code, same browser, in time), for a
 * callback whose session no longer holds the login: a reload sent to another instance after the
 * login finished there.
 */
export async function followable(
  parts: AuthParts,
  req: Request,
  state: string,
  code: string,
): Promise<FinishedLogin | undefined> {
  if (!parts.config.refreshLock) return undefined;
  const note = await readNote(req, state);
  return typeof note === 'object' ? noteToFollow(parts, req, code, note) : undefined;
}

function noteToFollow(parts: AuthParts, req: Request, code: string, note: LoginNote): FinishedLogin | undefined {
  const { to, landing, binding } = note;
  if (to === undefined || landing === undefined || parts.config.clock() > note.until) return undefined;
  if (note.code !== callbackDigest(code) || !parts.transactions.binding.matches(req, binding)) return undefined;
  return { from: req.sessionID, to, landing, code: note.code };
}

/**
 * Turns the login's note into one a sibling's callback can follow, once the new session is saved:
 * a follower must never find it half-written. A session that could not be saved leaves the note
 * saying "spent": a follower then fails instead of landing logged out.
 */
export async function leaveMovedNote(
  parts: AuthParts,
  req: Request,
  state: string,
  note: Required<Omit<LoginNote, 'until'>>,
): Promise<void> {
  if (!parts.config.refreshLock) return;
  const saved = await new Promise<boolean>((resolve) => req.session.save((error?: unknown) => resolve(!error)));
  if (saved) await writeNote(req, state, { ...note, until: parts.config.clock() + NOTE_MS });
}

const noteId = (state: string): string => `sf-moved.${callbackDigest(state)}`;

interface NoteEntry {
  synergyflow?: { loginNote?: LoginNote };
}

/** The login's note, `undefined` when there is none, `'unreadable'` when the store failed. */
function readNote(req: Request, state: string): Promise<LoginNote | undefined | 'unreadable'> {
  return Promise.resolve()
    .then(() => storedSession(req, noteId(state)))
    .then(
      (found) => (found as NoteEntry | undefined)?.synergyflow?.loginNote,
      () => 'unreadable' as const,
    );
}

/** Writes the login's note; resolves false when the store refused it. */
function writeNote(req: Request, state: string, note: LoginNote): Promise<boolean> {
  const store = req.sessionStore as Store | undefined;
  if (!store) return Promise.resolve(false);
  // The store expires the entry by wall-clock time; `until` is on the package's clock.
  const entry = {
    cookie: { originalMaxAge: NOTE_MS, maxAge: NOTE_MS, expires: new Date(Date.now() + NOTE_MS) },
    synergyflow: { loginNote: note },
  } as unknown as SessionData;
  return new Promise((resolve) => {
    try {
      store.set(noteId(state), entry, (error?: unknown) => resolve(!error));
    } catch {
      resolve(false);
    }
  });
}

/**
 * Answers a second callback of a login another request of the same browser has just finished:
 * the browser dropped that answer (a reload, a double click), and with it the cookie of the new
 * session, so this answer carries it and lands where the login does. The request proved it is
 * that browser: it brought the login's binding cookie, state and code, and, in-process, the
 * session cookie the login started in.
 */
export function follow(req: Request, res: Response, login: FinishedLogin): void {
  const adopted =
    req.sessionID === login.from ? adoptSession(req, login.to).catch(() => false) : Promise.resolve(false);
  void adopted.then((moved) => {
    if (!moved) log('a second callback could not follow the login: the new session is gone');
    redirect(res, 303, login.landing);
  });
}
