/**
 * A lock shared by several processes, taken around a refresh so that one refresh happens per
 * expiry across instances. In-process single flight needs no lock; this is its extension.
 *
 * A refresh never runs without the lock: a request whose wait ends re-reads the store and adopts
 * a sibling's tokens, or answers 503 with `Retry-After`.
 */
export interface RefreshLock {
  /**
   * How long the lock outlives a holder that dies, in milliseconds. `synergyFlow()` checks it is
   * longer than `timeoutSeconds`; a live holder keeps renewing it.
   */
  readonly leaseMs?: number | undefined;
  /**
   * Takes the lock named `key`, waiting at most `waitMs`. Resolves with a release function, or
   * `undefined` when the wait ran out. The holder keeps the lock until it releases it.
   */
  acquire(key: string, waitMs: number): Promise<(() => Promise<void>) | undefined>;
}
