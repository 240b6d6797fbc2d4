import { emit, type Hooks } from '../hooks.js';
import { logger } from '../log.js';
import type { KeyStates } from './key-states.js';
import type { TokenSet } from './token-set.js';

const log = logger('unsaved');

const FIRST_RETRY_MS = 250;
// Short: once the store is back, a sibling waits for this set (see rotation-mark.ts MARK_GRACE_MS).
const LONGEST_RETRY_MS = 2_000;
const MAX_KEPT = 10_000;

/** The clock and the timer the coordinator runs on (one clock: the configured one). */
export interface Timing {
  /** The configured clock, milliseconds since the epoch. */
  clock(): number;
  /** Resolves after `ms` milliseconds (a timer that does not keep the process alive). */
  sleep(ms: number): Promise<void>;
}

/**
 * Token sets the provider issued but the store refused to take (Redis down, a timeout). The
 * provider has already revoked the old refresh token, so dropping these would log the user out:
 * they are served to this process's requests and written again, with back-off, until the store
 * takes them (or holds something newer). Bounded; the count is reported through the hooks. They
 * live in the coordinator's per-key records (`unsaved`), beside the rest of what it knows.
 */
export class UnsavedTokens {
  readonly #states: KeyStates;
  readonly #hooks: Hooks;
  readonly #timing: Timing;
  readonly #idle = new Set<() => void>();
  #size = 0;

  constructor(states: KeyStates, hooks: Hooks, timing: Timing) {
    this.#states = states;
    this.#hooks = hooks;
    this.#timing = timing;
  }

  /** How many token sets wait to be stored. */
  get size(): number {
    return this.#size;
  }

  /** The kept token set that replaced the refresh token named `key`, if any. */
  get(key: string): TokenSet | undefined {
    return this.#states.get(key)?.unsaved?.tokens;
  }

  /** Keeps `tokens` and writes them with `persist` until that succeeds. */
  keep(key: string, tokens: TokenSet, persist: (tokens: TokenSet) => Promise<boolean>): void {
    if (this.#size >= MAX_KEPT && !this.get(key)) this.#giveUpOldest();
    const state = this.#states.open(key);
    if (!state.unsaved) this.#size++;
    const entry = { tokens, persist, since: this.#timing.clock() };
    state.unsaved = entry;
    emit(this.#hooks, 'onTokenStoreFailed', { outcome: 'kept', durationMs: 0, unsaved: this.#size });
    void this.#retry(key, FIRST_RETRY_MS);
  }

  /** Resolves once every kept token set is stored (at once when none is kept). */
  allStored(): Promise<void> {
    if (this.#size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.#idle.add(resolve));
  }

  async #retry(key: string, delayMs: number): Promise<void> {
    await this.#timing.sleep(delayMs);
    const entry = this.#states.get(key)?.unsaved;
    if (!entry) return;
    try {
      const written = await entry.persist(entry.tokens);
      log(written ? 'a kept token set is stored now' : 'the store holds newer tokens; dropping the kept set');
    } catch {
      return this.#retry(key, Math.min(delayMs * 2, LONGEST_RETRY_MS));
    }
    if (this.#states.get(key)?.unsaved !== entry) return;
    this.#forget(key);
    emit(this.#hooks, 'onTokenStoreFailed', {
      outcome: 'stored_late',
      durationMs: this.#timing.clock() - entry.since,
      unsaved: this.#size,
    });
  }

  /** Bounded: past the cap the oldest set stops being retried (its user may have to log in again). */
  #giveUpOldest(): void {
    let oldest: [string, number] | undefined;
    for (const [key, state] of this.#states.entries()) {
      if (state.unsaved && (!oldest || state.unsaved.since < oldest[1])) oldest = [key, state.unsaved.since];
    }
    if (!oldest) return;
    this.#forget(oldest[0]);
    log('too many unsaved token sets; the oldest is given up');
  }

  #forget(key: string): void {
    const state = this.#states.get(key);
    if (!state?.unsaved) return;
    state.unsaved = undefined;
    this.#size--;
    this.#states.settle(key);
    if (this.#size > 0) return;
    const waiting = [...this.#idle];
    this.#idle.clear();
    for (const done of waiting) done();
  }
}
