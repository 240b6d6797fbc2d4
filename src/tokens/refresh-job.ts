import type { Coordinator } from '../coordination/coordinator.js';
import type { Hooks } from '../hooks.js';
import type { SynergyFlowClient } from '../provider/client.js';
import type { TokenSet } from './token-set.js';

/** What a refresh needs from the request it serves. */
export interface RefreshJob {
  /** Reads the token set as stored now (it may be newer than the request's copy). */
  reread(): Promise<TokenSet | undefined>;
  /** The refresh parameters, the same for every door (`refresh-params.ts`: scope, second-factor answers). */
  params?: Readonly<Record<string, string>> | undefined;
  /**
   * The request still holds a valid access token: it takes the lock only if it is free at once,
   * rather than waiting out a sibling's refresh (it goes on with its current token meanwhile).
   */
  canWait?: boolean | undefined;
  /**
   * Stores a fresh token set (compare-and-swap on the version it replaces); `false` when a newer
   * one is stored. Called before the cross-process lock is released, so a sibling that takes
   * the lock next finds the new tokens instead of refreshing again. May throw (store down).
   */
  persist(tokens: TokenSet): Promise<boolean>;
}

/** What the coordinator needs from its surroundings. */
export interface RefreshCoordinatorParts {
  /** Sends the refresh grant (the provider's client; a stub in unit tests). */
  client: Pick<SynergyFlowClient, 'refresh'>;
  hooks: Hooks;
  /** The configured clock: every time the coordinator reads or remembers is on it. */
  clock: () => number;
  /**
   * Waits `ms` milliseconds (re-reads after a refusal, writing unsaved token sets again, the
   * `close()` deadline). Default: a timer that does not keep the process alive. Unit tests pass
   * one that follows their fake clock.
   */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /**
   * The coordinator: its lock allows one refresh per refresh token across every instance that
   * shares it, and its notes carry the rotation marks (`rotation-mark.ts`).
   */
  lock: Pick<Coordinator, 'acquire' | 'note' | 'read'>;
  /** The longest wait for another process's lock, in milliseconds. */
  lockWaitMs: number;
}
