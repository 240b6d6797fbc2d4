import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { SessionData, Store } from 'express-session';
import { logger } from '../log.js';
import { adoptSession } from '../session/adopt-session.js';
import type { AuthParts } from '../parts.js';
import type { FinishedLogin } from './exchange-gate.js';

const log = logger('callback');

/**
 * How long a finished login can be followed: a sibling's callback reads the note right after the
 * lock is released, a reload a moment later.
 */
const NOTE_MS = 30_000;

/**
 * Where a login another instance finished went. Kept in the session store under an id no signed
 * session cookie can name, so no request ever loads it as its session; only a callback with the
 * same state (which names it), the same code and the same browser binding may follow it.
 */
interface MovedLogin {
  /** SHA-256 of the code it redeemed. */
  readonly code: string;
  /** The hash of the browser's binding cookie, as the login's transaction kept it. */
  readonly binding: string;
  /** The session id the login moved to. */
  readonly to: string;
  /** Where the login lands. */
  readonly landing: string;
  /** Until when it may be followed (milliseconds since the epoch, on the package's clock). */
  readonly until: number;
}

/** What a callback may do once it holds its login across instances. */
export type Claim =
  /** Redeem the code; `unlock` once the answer is out. */
  | { readonly redeem: true; readonly unlock: () => Promise<void> }
  /** Another instance finished this login: follow it (`undefined`: this callback may not). */
  | { readonly redeem: false; readonly moved: FinishedLogin | undefined }
  /** Another instance is still redeeming it, past the wait: try again in a moment. */
  | { readonly redeem: false; readonly busy: true };

/** The `unlock` of a claim that holds no lock. */
export const NOTHING_HELD = async (): Promise<void> => undefined;

/** SHA-256 of a callback value, base64url: the session store keeps no state or code in the clear. */
export function callbackDigest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

const noteId = (state: string): string => `sf-moved.${callbackDigest(state)}`;

/**
 * Several instances (a `refreshLock` is configured) share the session store, so a double click
 * or reload that the load balancer sends to another instance finds the same pending login, and
 * redeeming its code twice would make a provider that revokes on code reuse kill the login. Each
 * callback therefore takes the lock named after the login's state, then looks for the note a
 * sibling that finished this login leaves ({@link leaveMovedNote}): found, it follows; none, the
 * code is its to redeem. One instance alone needs none of this (its exchange gate covers it), and
 * gets `redeem` at once.
 */
export async function claimLogin(parts: AuthParts, req: Request, state: string, code: string): Promise<Claim> {
  const lock = parts.config.refreshLock;
  if (!lock) return { redeem: true, unlock: NOTHING_HELD };
  // A callback makes two provider calls (the code, then the profile) where a refresh makes one.
  const unlock = await lock.acquire(`login:${callbackDigest(state)}`, parts.config.refreshLockWaitMs * 2);
  const moved = await followable(parts, req, state, code);
  if (unlock && moved === undefined) return { redeem: true, unlock };
  await unlock?.().catch(() => log('could not release the login lock'));
  if (moved !== undefined) return { redeem: false, moved: moved || undefined };
  // The sibling still redeems past the wait: a second redemption could only kill its login.
  return { redeem: false, busy: true };
}

/**
 * The login a sibling finished for this callback's state: what to follow, `false` when this
 * request may not follow it (another code, another browser, too late), `undefined` when there is
 * no such login (or the store could not say: the code is then redeemed, as on one instance).
 */
export async function followable(
  parts: AuthParts,
  req: Request,
  state: string,
  code: string,
): Promise<FinishedLogin | false | undefined> {
  if (!parts.config.refreshLock) return undefined;
  const note = (await readNote(req, noteId(state)))?.synergyflow?.movedLogin;
  if (note === undefined) return undefined;
  if (parts.config.clock() > note.until || note.code !== callbackDigest(code)) return false;
  if (!parts.transactions.binding.matches(req, note.binding)) return false;
  return { from: req.sessionID, to: note.to, landing: note.landing, code: note.code };
}

/**
 * Leaves the note a sibling's callback follows ({@link claimLogin}), once the new session is
 * saved: a follower must never find it half-written. Only with a `refreshLock`: one instance
 * alone follows in-process. A note that cannot be written costs only a sibling's follow.
 */
export async function leaveMovedNote(
  parts: AuthParts,
  req: Request,
  state: string,
  note: Omit<MovedLogin, 'until'>,
): Promise<void> {
  const store = req.sessionStore as Store | undefined;
  if (!parts.config.refreshLock || !store) return;
  await new Promise<void>((resolve) => req.session.save(() => resolve()));
  // The store expires the entry by wall-clock time; `until` is on the package's clock.
  const entry = {
    cookie: { originalMaxAge: NOTE_MS, expires: new Date(Date.now() + NOTE_MS) },
    synergyflow: { movedLogin: { ...note, until: parts.config.clock() + NOTE_MS } },
  } as unknown as SessionData;
  await new Promise<void>((resolve) => store.set(noteId(state), entry, () => resolve()));
}

interface NoteEntry {
  synergyflow?: { movedLogin?: MovedLogin };
}

function readNote(req: Request, id: string): Promise<NoteEntry | undefined> {
  const store = req.sessionStore as Store | undefined;
  if (!store) return Promise.resolve(undefined);
  return new Promise((resolve) =>
    store.get(id, (error: unknown, found?: SessionData | null) =>
      resolve(error || !found ? undefined : (found as unknown as NoteEntry)),
    ),
  );
}

/**
 * Answers a second callback of a login another request of the same browser session has just
 * finished: the browser dropped that answer (a reload, a double click), and with it the cookie of
 * the new session, so this answer carries it and lands where the login does. The request proved
 * it is that browser: it brought the login's binding cookie, state and code, and, in-process, the
 * session cookie the login started in.
 */
export function follow(req: Request, res: Response, login: FinishedLogin): void {
  const adopted =
    req.sessionID === login.from ? adoptSession(req, login.to).catch(() => false) : Promise.resolve(false);
  void adopted.then((moved) => {
    if (!moved) log('a second callback could not follow the login: the new session is gone');
    res.redirect(303, login.landing);
  });
}
