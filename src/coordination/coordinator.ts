/**
 * What the instances of one app share to coordinate a login's life: a lock, and short-lived notes.
 *
 * Every path uses it, always: the refresh (one refresh per expiry), the callback (one code
 * redemption per login, and the handover to a double click), and the logout (a session that has
 * ended stays ended, whatever request was in flight). One process needs nothing more than the
 * in-memory default ({@link MemoryCoordinator}); several instances share one (`RedisCoordinator`).
 */
export interface Coordinator {
  /**
   * How long a lock outlives a holder that dies, in milliseconds (`undefined`: it never dies
   * without its process). `synergyFlow()` checks it is longer than `timeoutSeconds`.
   */
  readonly leaseMs?: number | undefined;
  /**
   * Takes the lock named `key`, waiting at most `waitMs`. Resolves with the function that releases
   * it, or `undefined` when the wait ran out. Rejects when the shared store cannot be reached.
   */
  acquire(key: string, waitMs: number): Promise<(() => Promise<void>) | undefined>;
  /** Leaves `value` under `key` for `ttlMs` (replacing any note there). Rejects when it could not. */
  note(key: string, value: string, ttlMs: number): Promise<void>;
  /** The note under `key`, or `undefined` when there is none (or it expired). Rejects when it cannot say. */
  read(key: string): Promise<string | undefined>;
}

/** True when `value` has every member of a {@link Coordinator}. */
export function isCoordinator(value: unknown): value is Coordinator {
  const candidate = value as Partial<Coordinator> | null | undefined;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.acquire === 'function' &&
    typeof candidate.note === 'function' &&
    typeof candidate.read === 'function'
  );
}
