import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { SessionData, Store } from 'express-session';
import { storedSession } from '../session/adopt-session.js';
import type { AuthParts } from '../parts.js';
import { peekAuthState, type MovedLogin } from '../session/session-state.js';
import type { FinishedLogin } from './exchange-gate.js';

/** How long the session a login started in points at the new one: a sibling's wait, and more. */
const MOVED_NOTE_MS = 60_000;

/** What a callback may do once it holds its login across instances. */
export type Claim =
  /** Redeem the code; `unlock` once the answer is out. */
  | { readonly redeem: true; readonly unlock: () => Promise<void> }
  /** Another instance finished this login: follow it. */
  | { readonly redeem: false; readonly moved: FinishedLogin }
  /** The login is gone (finished elsewhere and not followable, or abandoned). */
  | { readonly redeem: false; readonly moved: undefined };

const NO_LOCK = async (): Promise<void> => undefined;

/** SHA-256 of a callback value, base64url: the session store keeps no state or code in the clear. */
export function callbackDigest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/**
 * The finished login this callback may follow, from the `moved` note of `session` (the
 * request's own session by default): same state, same code, same browser, still in time.
 */
export function movedLogin(
  parts: AuthParts,
  req: Request,
  state: string | undefined,
  code: string | undefined,
  note: MovedLogin | undefined = peekAuthState(req)?.moved,
): FinishedLogin | undefined {
  if (!note || state === undefined || code === undefined || parts.config.clock() > note.until) return undefined;
  if (note.state !== callbackDigest(state) || note.code !== callbackDigest(code)) return undefined;
  if (!parts.transactions.binding.matches(req, note.binding)) return undefined;
  return { from: req.sessionID, to: note.to, landing: note.landing, code: note.code };
}

/**
 * Several instances (a `refreshLock` is configured) share the session store, so a double click
 * or reload that the load balancer sends to another instance finds the same pending login, and
 * redeeming its code twice would make a provider that revokes on code reuse kill the login. Each
 * callback therefore takes the lock named after the login's state, then reads its session again
 * from the store: a sibling that finished the login left a {@link MovedLogin} note there to
 * follow; a pending login is this request's to redeem. One instance alone needs none of this
 * (its exchange gate covers it), and gets `redeem` at once.
 */
export async function claimLogin(parts: AuthParts, req: Request, state: string, code: string): Promise<Claim> {
  const lock = parts.config.refreshLock;
  if (!lock) return { redeem: true, unlock: NO_LOCK };
  const unlock = await lock.acquire(`login:${callbackDigest(state)}`, parts.config.refreshLockWaitMs);
  // A sibling stuck for longer than the wait: redeeming anyway is what one instance would do.
  if (!unlock) return { redeem: true, unlock: NO_LOCK };
  const stored = (await storedSession(req, req.sessionID))?.synergyflow;
  const moved = movedLogin(parts, req, state, code, stored?.moved);
  const pending = stored?.transactions !== undefined && Object.hasOwn(stored.transactions, state);
  if (!moved && pending) return { redeem: true, unlock };
  // Not followable and no longer pending (or the store could not say): a second redemption
  // could only cost the login its tokens, so this callback fails and the code is left alone.
  await unlock();
  return { redeem: false, moved };
}

/**
 * Leaves the note a sibling's callback follows in the session the login started in (`from`),
 * which the login's rotation has just destroyed. Only with a `refreshLock`: one instance alone
 * follows in-process. A note that cannot be written costs only that sibling's follow.
 */
export async function leaveMovedNote(
  parts: AuthParts,
  req: Request,
  from: string,
  note: Omit<MovedLogin, 'until'>,
): Promise<void> {
  const store = req.sessionStore as Store | undefined;
  if (!parts.config.refreshLock || !store) return;
  const until = parts.config.clock() + MOVED_NOTE_MS;
  // The store expires the note by wall-clock time; `until` is on the package's clock.
  const session = {
    cookie: { originalMaxAge: MOVED_NOTE_MS, expires: new Date(Date.now() + MOVED_NOTE_MS), httpOnly: true, path: '/' },
    synergyflow: { moved: { ...note, until } },
  } as unknown as SessionData;
  await new Promise<void>((resolve) => store.set(from, session, () => resolve()));
}
