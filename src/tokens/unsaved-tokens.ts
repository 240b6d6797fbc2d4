import { emit, type Hooks } from '../hooks.js';
import { logger } from '../log.js';
import type { TokenSet } from './token-set.js';

const log = logger('unsaved');

const FIRST_RETRY_MS = 250;
// Short: once the store is back, a sibling waits for this set (see rotation-mark.ts MARK_GRACE_MS).
const LONGEST_RETRY_MS = 2_000;
const MAX_KEPT = 10_000;

interface Kept {
  tokens: TokenSet;
  persist(tokens: TokenSet): Promise<boolean>;
  since: number;
}

/**
 * Token sets the provider issued but the store refused to take (Redis down, a timeout). The
 * provider has already revoked the old refresh token, so dropping these would log the user out:
 * they are served to this process's requests and written again, with back-off, until the store
 * takes them (or holds something newer). Bounded; the count is reported through the hooks.
 */
export class UnsavedTokens {
  readonly #kept = new Map<string, Kept>();
  readonly #hooks: Hooks;
  readonly #idle = new Set<() => void>();

  constructor(hooks: Hooks) {
    this.#hooks = hooks;
  }

  /** How many token sets wait to be stored. */
  get size(): number {
    return this.#kept.size;
  }

  /** The kept token set that replaced the refresh token named `key`, if any. */
  get(key: string): TokenSet | undefined {
    return this.#kept.get(key)?.tokens;
  }

  /** Keeps `tokens` and writes them with `persist` until that succeeds. */
  keep(key: string, tokens: TokenSet, persist: (tokens: TokenSet) => Promise<boolean>): void {
    if (this.#kept.size >= MAX_KEPT && !this.#kept.has(key)) {
      // Bounded: past the cap the oldest set stops being retried (its user may have to log in again).
      const oldest = this.#kept.keys().next().value as string;
      this.#kept.delete(oldest);
      log('too many unsaved token sets; the oldest is given up');
    }
    this.#kept.set(key, { tokens, persist, since: Date.now() });
    emit(this.#hooks, 'onTokenStoreFailed', { outcome: 'kept', durationMs: 0, unsaved: this.#kept.size });
    void this.#retry(key, FIRST_RETRY_MS);
  }

  /** Waits until every kept token set is stored, at most `timeoutMs`; returns how many are left. */
  async drain(timeoutMs: number): Promise<number> {
    if (this.#kept.size === 0) return 0;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#idle.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      this.#idle.add(done);
    });
    return this.#kept.size;
  }

  async #retry(key: string, delayMs: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
    const entry = this.#kept.get(key);
    if (!entry) return;
    try {
      const written = await entry.persist(entry.tokens);
      log(written ? 'a kept token set is stored now' : 'the store holds newer tokens; dropping the kept set');
    } catch {
      return this.#retry(key, Math.min(delayMs * 2, LONGEST_RETRY_MS));
    }
    if (this.#kept.get(key) !== entry) return;
    this.#kept.delete(key);
    emit(this.#hooks, 'onTokenStoreFailed', {
      outcome: 'stored_late',
      durationMs: Date.now() - entry.since,
      unsaved: this.#kept.size,
    });
    if (this.#kept.size === 0) for (const done of [...this.#idle]) done();
  }
}
