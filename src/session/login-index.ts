import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { Store } from 'express-session';
import { keepsIndexes, type Coordinator } from '../coordination/coordinator.js';
import { logger } from '../log.js';
import { destroyStoredSession } from '../seams/express-session.js';
import type { TokenSet } from '../tokens/token-set.js';
import type { TokenStore } from '../tokens/token-store.js';
import { noteSessionEnded } from './session-guard.js';
import { loggedInSubject } from './session-state.js';
import { loadStoredLogin } from './stored-login.js';

const log = logger('logout');

/** Sessions indexed per user at most: the newest are kept (a user with more devices loses the oldest from the index). */
export const MAX_SESSIONS_PER_USER = 50;
/** How long a user's index lives after their last login, when the session cookie has no lifetime. */
const DEFAULT_INDEX_MS = 30 * 86_400_000;

/** What the index needs: the coordinator, the token store, and the provider (its name). */
export interface LoginIndexParts {
  readonly coordinator: Coordinator;
  readonly tokenStore: TokenStore;
  readonly config: { readonly provider: { readonly name: string } };
}

/** The coordinator's key of a user's sessions (a hash: no user id in the store). */
function subjectKey(parts: LoginIndexParts, sub: string): string {
  return `sessions:${createHash('sha256').update(`${parts.config.provider.name}:${sub}`).digest('base64url')}`;
}

/**
 * Adds the request's session to its user's index, so `logoutEverywhere` finds it without scanning
 * the session store. Best effort: a coordinator that is down costs the index one entry, not the
 * login. The index lives as long as the session cookie may (30 days without a `maxAge`).
 */
export async function indexLogin(parts: LoginIndexParts, req: Request): Promise<void> {
  const sub = loggedInSubject(req);
  const { coordinator } = parts;
  if (sub === undefined || !keepsIndexes(coordinator)) return;
  const maxAge = req.session?.cookie?.originalMaxAge;
  const ttl = typeof maxAge === 'number' && maxAge > 0 ? maxAge : DEFAULT_INDEX_MS;
  await coordinator
    .index(subjectKey(parts, sub), req.sessionID, MAX_SESSIONS_PER_USER, ttl)
    .catch(() => log('could not index a login (the coordinator is unreachable)'));
}

/** Removes the request's session from its user's index (a logout). Best effort. */
export async function unindexLogin(parts: LoginIndexParts, req: Request): Promise<void> {
  const sub = loggedInSubject(req);
  const { coordinator } = parts;
  if (sub === undefined || !keepsIndexes(coordinator)) return;
  await coordinator.unindex(subjectKey(parts, sub), req.sessionID).catch(() => undefined);
}

/** What {@link endLoginsOf} ended. */
export interface EndedLogins {
  /** How many sessions were destroyed. */
  readonly ended: number;
  /** The token sets of the ended logins, read before they were removed (only when asked for). */
  readonly tokenSets: readonly TokenSet[];
}

/**
 * Ends every login of the user `sub` whose sessions live in `store`: each is noted as ended (so
 * a request in flight cannot write it back), its token set removed (read first when
 * `readTokens`, for revocation), and the session destroyed. Rejects when the coordinator keeps
 * no index or cannot be read.
 */
export async function endLoginsOf(
  parts: LoginIndexParts,
  sub: string,
  store: Store,
  readTokens = false,
): Promise<EndedLogins> {
  const { coordinator } = parts;
  if (!keepsIndexes(coordinator)) {
    throw new TypeError(
      'passport-synergyflow: logoutEverywhere() needs a coordinator that keeps indexes (index, members, unindex), as MemoryCoordinator and RedisCoordinator do.',
    );
  }
  const key = subjectKey(parts, sub);
  const sessionIDs = await coordinator.members(key);
  let ended = 0;
  const tokenSets: TokenSet[] = [];
  await Promise.all(
    sessionIDs.map(async (sessionID) => {
      const login = await loadStoredLogin(store, sessionID);
      await noteSessionEnded(parts, sessionID);
      if (login.holdsLoginOf(sub)) {
        if (readTokens) {
          const tokens = await parts.tokenStore.get(login.request).catch(() => undefined);
          if (tokens) tokenSets.push(tokens);
        }
        await parts.tokenStore
          .clear(login.request)
          .catch(() => log('could not remove the token set of an ended login'));
      }
      if (await destroyStoredSession(login.request, sessionID)) ended += 1;
    }),
  );
  await coordinator.unindex(key).catch(() => undefined);
  log('ended %d sessions of a user everywhere', ended);
  return { ended, tokenSets };
}
