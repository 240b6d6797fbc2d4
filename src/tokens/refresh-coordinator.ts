import { LoginRequiredError, TemporarilyUnavailableError } from '../errors.js';
import { isProviderError } from '../error-guards.js';
import { isLoginRequiredError } from '../error-guards.js';
import { isRateLimitError } from '../error-guards.js';
import { emit } from '../hooks.js';
import { logger } from '../log.js';
import { storeUnavailable } from '../redis/store-outage.js';
import { inSpan } from '../telemetry/spans.js';
import { takeRefreshLock } from './take-refresh-lock.js';
import { tokenFingerprint } from '../provider/client.js';
import { refreshTokenDead, type TokenSet } from './token-set.js';
import { RotationMarks } from './rotation-mark.js';
import { KeyStates, type KeyState } from './key-states.js';
import type { RefreshCoordinatorParts, RefreshJob } from './refresh-job.js';
import { UnsavedTokens, type Timing } from './unsaved-tokens.js';

export type { RefreshCoordinatorParts, RefreshJob } from './refresh-job.js';

const log = logger('refresh');

/** How long a finished rotation is remembered, so requests that read the old tokens adopt it. */
const ROTATION_MEMORY_MS = 60_000;
/** After a provider failure, refreshes of the same token fail fast for this long (no hot loop). */
const FAILURE_BACKOFF_MS = 5_000;
/** The shortest back-off, reached as a still-valid access token nears its expiry. */
const MIN_BACKOFF_MS = 250;
const MAX_REMEMBERED = 10_000;
/**
 * When a refresh is refused, a sibling that won the rotation may be about to store its tokens:
 * re-read at these delays (about one second in all) before sending the user to log in.
 */
const REREAD_DELAYS_MS = [0, 50, 150, 300, 500];

/**
 * How long refreshes of `tokens` fail fast after a provider failure. While the access token is
 * still valid the next try comes before it expires (half the time left), so an outage that ends
 * in time fails no request; once it has expired, the full back-off spares the provider.
 */
function backoffMs(tokens: TokenSet, now: number): number {
  if (tokens.expiresAt === undefined || tokens.expiresAt <= now) return FAILURE_BACKOFF_MS;
  return Math.min(FAILURE_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, (tokens.expiresAt - now) / 2));
}

/** True when `candidate` replaces `current` (a sibling refreshed while we waited). */
function isNewer(candidate: TokenSet | undefined, current: TokenSet): candidate is TokenSet {
  return candidate !== undefined && candidate.version > current.version;
}

/**
 * Runs refreshes so that each expiry costs one refresh grant: concurrent requests holding the same
 * refresh token share one call (single flight), requests that arrive just after it adopt its
 * result, and through the coordinator's lock the same holds across processes: a refresh never
 * runs without the lock, and whoever takes it re-reads the store first. Tokens the provider issued are never dropped: when storing them fails they
 * are kept, served, and written again until the store takes them.
 */
export class RefreshCoordinator {
  readonly #parts: RefreshCoordinatorParts;
  /** What this process knows about each refresh token, in one bounded map (`key-states.ts`). */
  readonly #states = new KeyStates(MAX_REMEMBERED);
  readonly #timing: Timing;
  readonly #unsaved: UnsavedTokens;
  readonly #marks: RotationMarks;
  #closing = false;

  constructor(parts: RefreshCoordinatorParts) {
    this.#parts = parts;
    this.#timing = { clock: parts.clock, sleep: parts.sleep ?? sleepUnref };
    this.#unsaved = new UnsavedTokens(this.#states, parts.hooks, this.#timing);
    this.#marks = new RotationMarks(parts.lock, parts.clock);
  }

  /** Token sets the provider issued that the store has not taken yet (being written again). */
  get unsavedCount(): number {
    return this.#unsaved.size;
  }

  /** Returns a fresh token set for `current`, refreshing at most once per refresh token. */
  async refresh(current: TokenSet, job: RefreshJob): Promise<TokenSet> {
    const { clock, hooks } = this.#parts;
    const now = clock();
    if (refreshTokenDead(current, now)) {
      throw new LoginRequiredError(current.refreshToken ? 'refresh_token_expired' : 'access_token_expired');
    }
    const key = tokenFingerprint(current.refreshToken ?? '');
    const known = this.#states.get(key);
    const rotated = known?.unsaved?.tokens ?? live(known?.rotated, now)?.tokens;
    if (isNewer(rotated, current)) {
      log('adopting a rotation finished %d ms ago', now - rotated.obtainedAt);
      emit(hooks, 'onRefresh', { outcome: 'adopted', durationMs: 0 });
      return rotated;
    }
    const failed = live(known?.failed, now);
    if (failed) throw failed.error;
    const running = known?.inflight;
    if (running) {
      log('joining a refresh in flight');
      const tokens = await running;
      emit(hooks, 'onRefresh', { outcome: 'joined', durationMs: clock() - now });
      return tokens;
    }
    if (this.#closing) throw new TemporarilyUnavailableError('shutting_down');
    const flight = this.#run(key, current, job, now);
    this.#states.open(key).inflight = flight;
    try {
      const tokens = await flight;
      const state = this.#finished(key);
      // A rotation whose request gave up waiting is kept until a later request adopts it: with a
      // session token store, that request's session was already saved without it.
      const until = state.retained ? Number.POSITIVE_INFINITY : clock() + ROTATION_MEMORY_MS;
      state.retained = undefined;
      state.rotated = { tokens, until };
      return tokens;
    } catch (error) {
      const state = this.#finished(key);
      state.retained = undefined;
      if (isLoginRequiredError(error)) {
        // A refused refresh token is dead for good: requests still holding it fail at once
        // instead of presenting it again (each presentation is a reuse the provider may punish).
        state.failed = { error, until: clock() + ROTATION_MEMORY_MS };
      } else if (isProviderError(error) || isRateLimitError(error)) {
        // A 429 from the token endpoint is honoured: no grant is sent before its Retry-After.
        // The back-off follows the token's life when the attempt started: on a busy host the
        // failure may come back after the token expired, and a full back-off from then would
        // refuse the user for seconds after the provider is back.
        const wait = isRateLimitError(error) ? error.retryAfter * 1000 : backoffMs(current, now);
        state.failed = { error, until: clock() + wait };
      }
      this.#states.settle(key);
      throw error;
    }
  }

  /** The record of `key` once its refresh ended: no longer in flight, and the newest remembered. */
  #finished(key: string): KeyState {
    const state = this.#states.open(key, true);
    state.inflight = undefined;
    return state;
  }

  /**
   * Stops taking new refreshes (they answer 503 `shutting_down`), then waits for the refreshes
   * in flight to finish and for kept token sets to be stored, at most `timeoutMs`. Resolves with
   * the number of token sets that could still not be stored.
   */
  async close(timeoutMs: number): Promise<number> {
    this.#closing = true;
    const flights = [...this.#states.entries()].flatMap(([, state]) => state.inflight ?? []);
    // One deadline for both waits, on one timer: no clock arithmetic to disagree with the clock.
    const settled = Promise.allSettled(flights).then(() => this.#unsaved.allStored());
    await Promise.race([settled, this.#timing.sleep(timeoutMs)]);
    return this.#unsaved.size;
  }

  /**
   * Keeps the result of the refresh running for `current` until a later request adopts it (its
   * own request stopped waiting at its deadline).
   */
  retain(current: TokenSet): void {
    const state = this.#states.get(tokenFingerprint(current.refreshToken ?? ''));
    if (state?.inflight) state.retained = true;
  }

  #run(key: string, current: TokenSet, job: RefreshJob, started: number): Promise<TokenSet> {
    return inSpan('synergyflow.refresh', {}, () => this.#refreshOnce(key, current, job, started));
  }

  async #refreshOnce(key: string, current: TokenSet, job: RefreshJob, started: number): Promise<TokenSet> {
    const { client, hooks, clock, lock, lockWaitMs } = this.#parts;
    const release = await takeRefreshLock(lock, key, job.canWait === false ? 0 : lockWaitMs);
    try {
      // Whether we took the lock or waited it out, a sibling may have stored newer tokens.
      const stored = await job.reread().catch((error: unknown) => {
        throw storeUnavailable(error, 're-reading the token store under the refresh lock');
      });
      if (isNewer(stored, current)) {
        log('another process refreshed first; adopting its tokens');
        emit(hooks, 'onRefresh', { outcome: 'adopted', durationMs: clock() - started });
        return stored;
      }
      if (!release) throw new TemporarilyUnavailableError('refresh_in_progress');
      await this.#marks.claim(key);
      log('refresh started');
      const tokens = await client.refresh(current, job.params).catch(async (error: unknown) => {
        // No new token set will come: siblings may refresh at once (before the lock is released).
        await this.#marks.unmark(key);
        throw error;
      });
      await this.#store(key, tokens, job);
      // A provider that keeps the refresh token (no rotation, SynapseFi between its rotations)
      // consumed nothing: the mark would only hold back the next refresh of the same token.
      if (tokens.refreshToken === current.refreshToken) await this.#marks.unmark(key);
      log('refresh finished in %d ms', clock() - started);
      emit(hooks, 'onRefresh', {
        outcome: 'success',
        durationMs: clock() - started,
        refreshUsesLeft: tokens.refreshUsesLeft,
      });
      return tokens;
    } catch (error) {
      if (isLoginRequiredError(error)) {
        const stored = await this.#rereadAfterRefusal(job, current);
        if (stored) {
          emit(hooks, 'onRefresh', { outcome: 'adopted', durationMs: clock() - started });
          return stored;
        }
      }
      const code = (error as { code?: unknown }).code;
      log('refresh failed: %s', typeof code === 'string' ? code : 'unknown error');
      emit(hooks, 'onRefreshFailed', {
        outcome: typeof code === 'string' ? code : 'error',
        durationMs: clock() - started,
      });
      throw error;
    } finally {
      await release?.().catch(() => undefined);
    }
  }

  /** Stores fresh tokens; when the store fails they are kept and written again, never dropped. */
  async #store(key: string, tokens: TokenSet, job: RefreshJob): Promise<void> {
    try {
      await job.persist(tokens);
    } catch {
      log('storing refreshed tokens failed; keeping them and writing again in the background');
      this.#unsaved.keep(key, tokens, job.persist);
    }
  }

  async #rereadAfterRefusal(job: RefreshJob, current: TokenSet): Promise<TokenSet | undefined> {
    for (const delay of REREAD_DELAYS_MS) {
      if (delay > 0) await this.#timing.sleep(delay);
      const stored = await job.reread().catch(() => undefined);
      if (isNewer(stored, current)) {
        log('refresh refused, but the store holds newer tokens; adopting them');
        return stored;
      }
    }
    return undefined;
  }
}

/** A remembered rotation or failure, while it still holds at `now`. */
function live<T extends { readonly until: number }>(memory: T | undefined, now: number): T | undefined {
  return memory && memory.until > now ? memory : undefined;
}

function sleepUnref(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
