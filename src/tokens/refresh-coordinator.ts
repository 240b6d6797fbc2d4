import { LoginRequiredError, TemporarilyUnavailableError, type SynergyFlowError } from '../errors.js';
import { isProviderError } from '../error-guards.js';
import { isLoginRequiredError } from '../error-guards.js';
import { isRateLimitError } from '../error-guards.js';
import { emit, type Hooks } from '../hooks.js';
import { logger } from '../log.js';
import { storeUnavailable } from '../redis/store-outage.js';
import { inSpan } from '../telemetry/spans.js';
import { takeRefreshLock } from './take-refresh-lock.js';
import type { SynergyFlowClient } from '../provider/client.js';
import { tokenFingerprint } from '../provider/client.js';
import { rememberNewest } from '../util/bounded-map.js';
import type { Coordinator } from '../coordination/coordinator.js';
import { refreshTokenDead, type TokenSet } from './token-set.js';
import { RotationMarks } from './rotation-mark.js';
import { UnsavedTokens } from './unsaved-tokens.js';

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

/** What a refresh needs from the request it serves. */
export interface RefreshJob {
  /** Reads the token set as stored now (it may be newer than the request's copy). */
  reread(): Promise<TokenSet | undefined>;
  /** Provider-specific refresh parameters (SynapseFi 2FA: `phone_number`, `validation_pin`). */
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
  client: SynergyFlowClient;
  hooks: Hooks;
  clock: () => number;
  /**
   * The coordinator: its lock allows one refresh per refresh token across every instance that
   * shares it, and its notes carry the rotation marks ({@link RotationMarks}).
   */
  lock: Pick<Coordinator, 'acquire' | 'note' | 'read'>;
  /** The longest wait for another process's lock, in milliseconds. */
  lockWaitMs: number;
}

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
  readonly #inflight = new Map<string, Promise<TokenSet>>();
  readonly #rotated = new Map<string, { tokens: TokenSet; until: number }>();
  readonly #failed = new Map<string, { error: SynergyFlowError; until: number }>();
  readonly #unsaved: UnsavedTokens;
  readonly #marks: RotationMarks;
  readonly #retained = new Set<string>();
  #closing = false;

  constructor(parts: RefreshCoordinatorParts) {
    this.#parts = parts;
    this.#unsaved = new UnsavedTokens(parts.hooks);
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
    const rotated = this.#unsaved.get(key) ?? this.#recentRotation(key, now);
    if (isNewer(rotated, current)) {
      log('adopting a rotation finished %d ms ago', now - rotated.obtainedAt);
      emit(hooks, 'onRefresh', { outcome: 'adopted', durationMs: 0 });
      return rotated;
    }
    const failed = this.#failed.get(key);
    if (failed && failed.until > now) throw failed.error;
    const running = this.#inflight.get(key);
    if (running) {
      log('joining a refresh in flight');
      const tokens = await running;
      emit(hooks, 'onRefresh', { outcome: 'joined', durationMs: clock() - now });
      return tokens;
    }
    if (this.#closing) throw new TemporarilyUnavailableError('shutting_down');
    const flight = this.#run(key, current, job, now).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, flight);
    try {
      const tokens = await flight;
      // A rotation whose request gave up waiting is kept until a later request adopts it: with a
      // session token store, that request's session was already saved without it.
      const until = this.#retained.delete(key) ? Number.POSITIVE_INFINITY : clock() + ROTATION_MEMORY_MS;
      rememberNewest(this.#rotated, key, { tokens, until }, MAX_REMEMBERED);
      return tokens;
    } catch (error) {
      this.#retained.delete(key);
      if (isLoginRequiredError(error)) {
        // A refused refresh token is dead for good: requests still holding it fail at once
        // instead of presenting it again (each presentation is a reuse the provider may punish).
        rememberNewest(this.#failed, key, { error, until: clock() + ROTATION_MEMORY_MS }, MAX_REMEMBERED);
      } else if (isProviderError(error) || isRateLimitError(error)) {
        // A 429 from the token endpoint is honoured: no grant is sent before its Retry-After.
        // The back-off follows the token's life when the attempt started: on a busy host the
        // failure may come back after the token expired, and a full back-off from then would
        // refuse the user for seconds after the provider is back.
        const wait = isRateLimitError(error) ? error.retryAfter * 1000 : backoffMs(current, now);
        rememberNewest(this.#failed, key, { error, until: clock() + wait }, MAX_REMEMBERED);
      }
      throw error;
    }
  }

  /**
   * Stops taking new refreshes (they answer 503 `shutting_down`), then waits for the refreshes
   * in flight to finish and for kept token sets to be stored, at most `timeoutMs`. Resolves with
   * the number of token sets that could still not be stored.
   */
  async close(timeoutMs: number): Promise<number> {
    this.#closing = true;
    const deadline = Date.now() + timeoutMs;
    await Promise.race([
      Promise.allSettled([...this.#inflight.values()]),
      new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
    return this.#unsaved.drain(Math.max(0, deadline - Date.now()));
  }

  /**
   * Keeps the result of the refresh running for `current` until a later request adopts it (its
   * own request stopped waiting at its deadline).
   */
  retain(current: TokenSet): void {
    const key = tokenFingerprint(current.refreshToken ?? '');
    if (!this.#inflight.has(key)) return;
    this.#retained.add(key);
    if (this.#retained.size > MAX_REMEMBERED) this.#retained.delete(this.#retained.values().next().value as string);
  }

  #recentRotation(key: string, now: number): TokenSet | undefined {
    const remembered = this.#rotated.get(key);
    return remembered && remembered.until > now ? remembered.tokens : undefined;
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
      await this.#markRotation(key, current.version);
      log('refresh started');
      const tokens = await client.refresh(current, job.params).catch(async (error: unknown) => {
        // No new token set will come: siblings may refresh at once (before the lock is released).
        await this.#marks.unmark(key);
        throw error;
      });
      await this.#store(key, tokens, job);
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

  /**
   * Leaves the rotation mark before the provider is called, unless a sibling's mark says it may
   * hold the new token set already (then the request answers 503 `refresh_in_progress` and a later
   * one adopts that set). Without a durable mark there is no refresh.
   */
  async #markRotation(key: string, version: number): Promise<void> {
    try {
      const verdict = await this.#marks.verdict(key, version);
      if (verdict === 'pending') {
        log('a sibling is rotating this refresh token (its lock lapsed); waiting for its token set');
        throw new TemporarilyUnavailableError('refresh_in_progress');
      }
      if (verdict === 'abandoned') log('a rotation mark was abandoned by its writer; refreshing');
      await this.#marks.mark(key, version);
    } catch (error) {
      if (error instanceof TemporarilyUnavailableError) throw error;
      throw storeUnavailable(error, 'marking the refresh token as being rotated');
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
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const stored = await job.reread().catch(() => undefined);
      if (isNewer(stored, current)) {
        log('refresh refused, but the store holds newer tokens; adopting them');
        return stored;
      }
    }
    return undefined;
  }
}
