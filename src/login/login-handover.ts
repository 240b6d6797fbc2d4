import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { UnavailableReason } from '../errors.js';
import { logger } from '../log.js';
import type { AuthParts } from '../parts.js';
import { adoptSession } from '../seams/express-session.js';

const log = logger('callback');

/**
 * How long a login's note stays: a sibling's callback reads it right after the lock is released,
 * a reload a moment later.
 */
const NOTE_MS = 30_000;

/** A login the first of several callbacks finished: what the others need to follow it. */
export interface FinishedLogin {
  /** The new session id the login rotated to. */
  readonly to: string;
  /** Where the login lands. */
  readonly landing: string;
  /** SHA-256 of the code the login redeemed: only a callback with the same code follows it. */
  readonly code: string;
  /** The hash of the browser's binding cookie, as the login's transaction kept it. */
  readonly binding: string;
}

/**
 * What the coordinator notes about a login whose code a callback took on. Without `to`, the code
 * is spent (or being redeemed) and the login did not finish; with it, only a callback with the
 * same code and the same browser binding may follow.
 */
interface LoginNote {
  /** SHA-256 of the code taken on. */
  readonly code: string;
  /** The rest, once the login finished. */
  readonly to?: string;
  readonly binding?: string;
  readonly landing?: string;
}

/** What a callback may do once it holds its login. */
export type Claim =
  /** Redeem the code; `unlock` once the answer is out. */
  | { readonly redeem: true; readonly unlock: () => Promise<void> }
  /** Another callback finished this login for this browser: follow it. */
  | { readonly redeem: false; readonly moved: FinishedLogin }
  /** The code was spent by another callback and cannot be followed: the login failed. */
  | { readonly redeem: false; readonly spent: true }
  /** The coordinator or a sibling cannot say in time: try again in a moment, the code left alone. */
  | { readonly redeem: false; readonly unavailable: UnavailableReason };

/** SHA-256 of a callback value, base64url: the coordinator keeps no state or code in the clear. */
export function callbackDigest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** Lets go of a lock, whatever a custom coordinator does: a lock not released runs out with its lease. */
export async function letGo(unlock: (() => Promise<void>) | undefined): Promise<void> {
  try {
    await unlock?.();
  } catch {
    log('could not release the login lock');
  }
}

const noteKey = (state: string): string => `login:${callbackDigest(state)}`;

/**
 * A double click or a reload sends the same callback twice, to this instance or another, and
 * both requests find the login pending in their copy of the session; redeeming its code twice
 * would make a provider that revokes on code reuse kill the login. Each callback therefore takes
 * the coordinator's lock named after the login's state and reads the login's note: none, it marks
 * the code spent and redeems it; a finished login for this browser, it follows; a spent code, it
 * fails. Whenever the coordinator cannot say, it answers 503 and leaves the code alone.
 */
export async function claimLogin(parts: AuthParts, req: Request, state: string, code: string): Promise<Claim> {
  const { coordinator } = parts.config;
  let unlock: (() => Promise<void>) | undefined;
  try {
    // A callback makes two provider calls (the code, then the profile) where a refresh makes one.
    unlock = await coordinator.acquire(noteKey(state), parts.config.refreshLockWaitMs * 2);
  } catch {
    return { redeem: false, unavailable: 'store_unavailable' };
  }
  const note = await readNote(parts, state);
  if (note === undefined && unlock) {
    const marked = await writeNote(parts, state, { code: callbackDigest(code) });
    if (marked) return { redeem: true, unlock };
  }
  await letGo(unlock);
  if (note === 'unreadable' || note === undefined) {
    return { redeem: false, unavailable: unlock ? 'store_unavailable' : 'login_in_progress' };
  }
  const moved = noteToFollow(parts, req, code, note);
  if (moved) return { redeem: false, moved };
  // A sibling still redeeming past the wait; or a code spent by a login that did not finish.
  return note.to === undefined && !unlock
    ? { redeem: false, unavailable: 'login_in_progress' }
    : { redeem: false, spent: true };
}

/**
 * The finished login of `state` this request may follow (same code, same browser, in time), for a
 * callback whose session no longer holds the login: a reload after the login finished.
 */
export async function followable(
  parts: AuthParts,
  req: Request,
  state: string,
  code: string,
): Promise<FinishedLogin | undefined> {
  const note = await readNote(parts, state);
  return typeof note === 'object' ? noteToFollow(parts, req, code, note) : undefined;
}

function noteToFollow(parts: AuthParts, req: Request, code: string, note: LoginNote): FinishedLogin | undefined {
  const { to, landing, binding } = note;
  if (to === undefined || landing === undefined || binding === undefined) return undefined;
  if (note.code !== callbackDigest(code) || !parts.transactions.binding.matches(req, binding)) return undefined;
  return { to, landing, binding, code: note.code };
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
  login: FinishedLogin,
): Promise<void> {
  const saved = await new Promise<boolean>((resolve) => req.session.save((error?: unknown) => resolve(!error)));
  if (saved) await writeNote(parts, state, login);
}

/**
 * Answers a second callback of a login another request of the same browser has just finished:
 * the browser dropped that answer (a reload, a double click), and with it the cookie of the new
 * session, so this request moves onto that session and its answer carries the cookie. The
 * request proved it is that browser: it brought the login's binding cookie, state and code.
 */
export async function follow(req: Request, login: FinishedLogin): Promise<void> {
  const moved = await adoptSession(req, login.to).catch(() => false);
  if (!moved) log('a second callback could not follow the login: the new session is gone');
}

/** The login's note, `undefined` when there is none, `'unreadable'` when the coordinator failed. */
async function readNote(parts: AuthParts, state: string): Promise<LoginNote | undefined | 'unreadable'> {
  try {
    const text = await parts.config.coordinator.read(noteKey(state));
    return text === undefined ? undefined : (JSON.parse(text) as LoginNote);
  } catch {
    return 'unreadable';
  }
}

/** Writes the login's note; resolves false when the coordinator refused it. */
async function writeNote(parts: AuthParts, state: string, note: LoginNote): Promise<boolean> {
  try {
    await parts.config.coordinator.note(noteKey(state), JSON.stringify(note), NOTE_MS);
    return true;
  } catch {
    return false;
  }
}
