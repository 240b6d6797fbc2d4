import type { Coordinator } from '../coordination/coordinator.js';
import { storeUnavailable } from '../redis/store-outage.js';
import { recordLockWait } from '../telemetry/metrics.js';
import { inSpan } from '../telemetry/spans.js';

/**
 * Takes the refresh lock of the refresh token named `key`, waiting at most `waitMs`, inside its
 * own span and lock-wait metric. Resolves with the release, or `undefined` when the wait ran out;
 * rejects with 503 `store_unavailable` when the coordinator cannot be reached.
 */
export function takeRefreshLock(
  lock: Pick<Coordinator, 'acquire'>,
  key: string,
  waitMs: number,
): Promise<(() => Promise<void>) | undefined> {
  const started = performance.now();
  return inSpan('synergyflow.refresh.lock_wait', {}, async (span) => {
    try {
      const release = await lock.acquire(`refresh:${key}`, waitMs);
      const outcome = release ? 'acquired' : 'gave_up';
      span?.setAttribute('synergyflow.outcome', outcome);
      recordLockWait(performance.now() - started, outcome);
      return release;
    } catch (error) {
      recordLockWait(performance.now() - started, 'error');
      throw storeUnavailable(error, 'taking the refresh lock');
    }
  });
}
