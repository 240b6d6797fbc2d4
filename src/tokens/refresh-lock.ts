/**
 * A lock shared by several processes, taken around a refresh so that one refresh happens per
 * expiry across instances. In-process single flight needs no lock; this is its extension.
 */
export interface RefreshLock {
  /**
   * Takes the lock named `key`, waiting at most `waitMs`. Resolves with a release function, or
   * `undefined` when the wait ran out (the caller then re-reads the store and carries on).
   */
  acquire(key: string, waitMs: number): Promise<(() => Promise<void>) | undefined>;
}
