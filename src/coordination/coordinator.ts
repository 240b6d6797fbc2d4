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
  /**
   * Adds `member` to the bounded index `key` (the newest `max` members are kept) and keeps the
   * index for `ttlMs` from now. Used to find every session of a user (log out everywhere).
   */
  index?(key: string, member: string, max: number, ttlMs: number): Promise<void>;
  /** The members of the index `key`, newest first (none when it expired). */
  members?(key: string): Promise<string[]>;
  /** Removes `member` from the index `key` (every member without one). */
  unindex?(key: string, member?: string): Promise<void>;
}

/** A {@link Coordinator} that keeps indexes too (both of the package's do). */
export type IndexingCoordinator = Coordinator & Required<Pick<Coordinator, 'index' | 'members' | 'unindex'>>;

/** True when `coordinator` keeps indexes. */
export function keepsIndexes(coordinator: Coordinator): coordinator is IndexingCoordinator {
  return (
    typeof coordinator.index === 'function' &&
    typeof coordinator.members === 'function' &&
    typeof coordinator.unindex === 'function'
  );
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
