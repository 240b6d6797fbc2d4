import { StoreTimeoutError } from './store-outage.js';

/**
 * Settles like `work`, or rejects with a {@link StoreTimeoutError} after `ms`. node-redis bounds
 * only commands still waiting to be written (5 s by default): one sent to a Redis that hangs
 * (paused, partitioned) waits for ever.
 *
 * When the timer fires, the verdict waits for the next turn of the event loop: after a stall
 * (a busy CPU) the timer and the reply are due together, and timers run before I/O callbacks, so
 * a reply that is already there still wins.
 */
export function withinTime<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(new StoreTimeoutError(ms));
      });
    }, ms);
    work.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
