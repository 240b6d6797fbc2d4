import { rememberNewest } from '../util/bounded-map.js';
import type { SynergyFlowClient } from '../provider/client.js';
import { tokenFingerprint } from '../provider/client.js';
import { isLoginRequiredError, isProviderError, LoginRequiredError, type SynergyFlowError } from '../errors.js';
import { emit, logger, type Hooks } from '../hooks.js';
import type { RefreshLock } from './refresh-lock.js';
import { refreshTokenDead, type TokenSet } from './token-set.js';

const log = logger('refresh');

/** How long a finished rotation is remembered, so requests that read the old tokens adopt it. */
const ROTATION_MEMORY_MS = 60_000;
/** After a provider failure, refreshes of the same token fail fast for this long (no hot loop). */
const FAILURE_BACKOFF_MS = 5_000;
/** The longest a request waits for another process's refresh lock. */
const LOCK_WAIT_MS = 5_000;
const MAX_REMEMBERED = 10_000;
/**
 * When a refresh is refused, the sibling that won the rotation may be a few milliseconds from
 * storing its tokens: re-read at these delays before sending the user to log in.
 */
const REREAD_DELAYS_MS = [0, 50, 150, 300];

/** What a refresh needs from the request it serves. */
export interface RefreshContext {
  /** Reads the token set as stored now (it may be newer than the request's copy). */
  reread(): Promise<TokenSet | undefined>;
  /** Provider-specific refresh parameters (SynapseFi 2FA: `phone_number`, `validation_pin`). */
  params?: Readonly<Record<string, string>> | undefined;
  /**
   * Stores a fresh token set. The refresh that ran calls it before releasing the cross-process
   * lock, so a sibling that takes the lock next finds the new tokens instead of refreshing again.
   */
  persist(tokens: TokenSet): Promise<unknown>;
}

/** True when `candidate` replaces `current` (a sibling refreshed while we waited). */
function isNewer(candidate: TokenSet | undefined, current: TokenSet): candidate is TokenSet {
  return candidate !== undefined && candidate.version > current.version;
}

/**
 * Runs refreshes so that each expiry costs one refresh grant: concurrent requests holding the same
 * refresh token share one call (single flight), requests that arrive just after it adopt its
 * result, and with a {@link RefreshLock} the same holds across processes. A refused refresh sends
 * the user to log in only after re-reading the store for a sibling's fresh tokens for a moment.
 */
export class RefreshCoordinator {
  readonly #client: SynergyFlowClient;
  readonly #hooks: Hooks;
  readonly #lock: RefreshLock | undefined;
  readonly #inflight = new Map<string, Promise<TokenSet>>();
  readonly #rotated = new Map<string, { tokens: TokenSet; until: number }>();
  readonly #failed = new Map<string, { error: SynergyFlowError; until: number }>();

  constructor(client: SynergyFlowClient, hooks: Hooks, lock?: RefreshLock) {
    this.#client = client;
    this.#hooks = hooks;
    this.#lock = lock;
  }

  /** Returns a fresh token set for `current`, refreshing at most once per refresh token. */
  async refresh(current: TokenSet, context: RefreshContext): Promise<TokenSet> {
    const now = Date.now();
    if (refreshTokenDead(current, now)) {
      throw new LoginRequiredError(current.refreshToken ? 'refresh_token_expired' : 'access_token_expired');
    }
    const key = tokenFingerprint(current.refreshToken ?? '');
    const rotated = this.#rotated.get(key);
    if (rotated && rotated.until > now && isNewer(rotated.tokens, current)) {
      log('adopting a rotation finished %d ms ago', now - rotated.tokens.obtainedAt);
      emit(this.#hooks, 'onRefresh', { outcome: 'adopted', durationMs: 0 });
      return rotated.tokens;
    }
    const failed = this.#failed.get(key);
    if (failed && failed.until > now) throw failed.error;
    const running = this.#inflight.get(key);
    if (running) {
      log('joining a refresh in flight');
      const tokens = await running;
      emit(this.#hooks, 'onRefresh', { outcome: 'joined', durationMs: Date.now() - now });
      return tokens;
    }
    const flight = this.#run(current, context, now).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, flight);
    try {
      const tokens = await flight;
      rememberNewest(this.#rotated, key, { tokens, until: Date.now() + ROTATION_MEMORY_MS }, MAX_REMEMBERED);
      return tokens;
    } catch (error) {
      if (isProviderError(error)) {
        rememberNewest(this.#failed, key, { error, until: Date.now() + FAILURE_BACKOFF_MS }, MAX_REMEMBERED);
      }
      throw error;
    }
  }

  async #run(current: TokenSet, context: RefreshContext, started: number): Promise<TokenSet> {
    const release = this.#lock
      ? await this.#lock.acquire(`refresh:${tokenFingerprint(current.refreshToken ?? '')}`, LOCK_WAIT_MS)
      : undefined;
    try {
      if (this.#lock) {
        const stored = await context.reread();
        if (isNewer(stored, current)) {
          log('another process refreshed first; adopting its tokens');
          emit(this.#hooks, 'onRefresh', { outcome: 'adopted', durationMs: Date.now() - started });
          return stored;
        }
      }
      log('refresh started');
      const tokens = await this.#client.refresh(current, context.params);
      await context.persist(tokens);
      log('refresh finished in %d ms', Date.now() - started);
      emit(this.#hooks, 'onRefresh', {
        outcome: 'success',
        durationMs: Date.now() - started,
        refreshUsesLeft: tokens.refreshUsesLeft,
      });
      return tokens;
    } catch (error) {
      if (isLoginRequiredError(error)) {
        // A sibling may have rotated the token a moment ago; its tokens are then in the store.
        for (const delay of REREAD_DELAYS_MS) {
          if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
          const stored = await context.reread();
          if (isNewer(stored, current)) {
            log('refresh refused, but the store holds newer tokens; adopting them');
            emit(this.#hooks, 'onRefresh', { outcome: 'adopted', durationMs: Date.now() - started });
            return stored;
          }
        }
      }
      const code = (error as { code?: unknown }).code;
      log('refresh failed: %s', typeof code === 'string' ? code : 'unknown error');
      emit(this.#hooks, 'onRefreshFailed', {
        outcome: typeof code === 'string' ? code : 'error',
        durationMs: Date.now() - started,
      });
      throw error;
    } finally {
      await release?.().catch(() => undefined);
    }
  }
}
