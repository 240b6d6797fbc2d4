import type { SynergyFlowError } from '../errors.js';
import type { TokenSet } from './token-set.js';

/** A token set the store refused, written again until it takes it (see `unsaved-tokens.ts`). */
export interface UnsavedEntry {
  readonly tokens: TokenSet;
  persist(tokens: TokenSet): Promise<boolean>;
  /** When it was kept, on the configured clock. */
  readonly since: number;
}

/**
 * Everything one process knows about one refresh token (named by its fingerprint). All of it
 * lives in one record so that the rules between them (a refresh in flight is joined, a finished
 * one adopted, a failed one answered at once, an unsaved one served) read in one place.
 */
export interface KeyState {
  /** The refresh running for this refresh token: concurrent requests join it (single flight). */
  inflight?: Promise<TokenSet> | undefined;
  /** Its request stopped waiting: keep the result until a later request adopts it. */
  retained?: boolean | undefined;
  /** The token set that replaced this refresh token, adopted by requests still holding it. */
  rotated?: { readonly tokens: TokenSet; readonly until: number } | undefined;
  /** A failure that refreshes of this refresh token answer at once, until `until`. */
  failed?: { readonly error: SynergyFlowError; readonly until: number } | undefined;
  /** The token set that replaced it, which the store has not taken yet. */
  unsaved?: UnsavedEntry | undefined;
}

/** True while a record must be kept whatever the bound: a refresh runs, or tokens wait to be stored. */
function busy(state: KeyState): boolean {
  return state.inflight !== undefined || state.unsaved !== undefined;
}

/** Oldest records looked at per new record; more than one, so the map shrinks back to its bound. */
const TRIM_STEPS = 8;

function empty(state: KeyState): boolean {
  return !busy(state) && state.rotated === undefined && state.failed === undefined && !state.retained;
}

/**
 * The per-refresh-token records of one process, in one map bounded to `max` records that are
 * only memory (a finished rotation, a failure). Records that are busy are never dropped: a refresh
 * in flight ends on its own, and unsaved token sets have their own cap (`unsaved-tokens.ts`).
 * A Map keeps insertion order, so the front is the oldest.
 */
export class KeyStates {
  readonly #states = new Map<string, KeyState>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** How many records are held (busy or not). */
  get size(): number {
    return this.#states.size;
  }

  /** The record of `key`, if any. */
  get(key: string): KeyState | undefined {
    return this.#states.get(key);
  }

  /** The record of `key`, made if missing; `newest` moves it to the back (the last to be dropped). */
  open(key: string, newest = false): KeyState {
    let state = this.#states.get(key);
    if (state && newest) this.#states.delete(key);
    state ??= {};
    if (newest || !this.#states.has(key)) this.#states.set(key, state);
    this.#trim();
    return state;
  }

  /** Forgets `key`'s record once nothing is left in it. Call after clearing one of its fields. */
  settle(key: string): void {
    const state = this.#states.get(key);
    if (state && empty(state)) this.#states.delete(key);
  }

  /** Every record, oldest first. */
  entries(): IterableIterator<[string, KeyState]> {
    return this.#states.entries();
  }

  /**
   * Drops the oldest records beyond the bound; busy ones move to the back instead. A few steps
   * per call (each call adds at most one record), so a front full of busy records costs no scan.
   */
  #trim(): void {
    for (let step = 0; step < TRIM_STEPS && this.#states.size > this.#max; step++) {
      const [key, state] = this.#states.entries().next().value as [string, KeyState];
      this.#states.delete(key);
      if (busy(state)) this.#states.set(key, state);
    }
  }
}
