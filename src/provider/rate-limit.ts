import { rememberNewest } from '../util/bounded-map.js';
import { RateLimitError } from '../errors.js';

/** Used when a 429 carries no usable `Retry-After`: the provider's window is one minute. */
const DEFAULT_RETRY_AFTER_SECONDS = 60;

/**
 * Reads `Retry-After` in either form (delay-seconds or HTTP-date, RFC 9110 §10.2.3) as whole
 * seconds from `now`, between 1 and `maxSeconds`. Junk, negative values and dates in the past
 * fall back to the provider's one-minute window.
 */
export function parseRetryAfter(value: string | null, now: number, maxSeconds: number): number {
  const seconds = retryAfterSeconds(value?.trim() ?? '', now);
  if (seconds === undefined) return Math.min(DEFAULT_RETRY_AFTER_SECONDS, maxSeconds);
  return Math.min(Math.max(1, Math.ceil(seconds)), maxSeconds);
}

function retryAfterSeconds(value: string, now: number): number | undefined {
  if (/^\d+$/.test(value)) return Number(value);
  // An HTTP-date always names a weekday or month; refusing bare numbers with signs or dots keeps
  // Date.parse from reading "-1" or "1.5" as years.
  if (!/[a-z]{3}/i.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date) || date <= now) return undefined;
  return (date - now) / 1000;
}

function headerInteger(value: string | null): number | undefined {
  return value !== null && /^\d{1,9}$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

/** Builds the {@link RateLimitError} for a 429 answer from its headers. */
export function rateLimitErrorFrom(headers: Headers, now: number, maxSeconds: number): RateLimitError {
  return new RateLimitError(
    parseRetryAfter(headers.get('retry-after'), now, maxSeconds),
    headerInteger(headers.get('x-ratelimit-limit')),
    headerInteger(headers.get('x-ratelimit-remaining')),
  );
}

/**
 * Remembers, per access token, until when the provider refuses calls, so no call is sent while a
 * window is exhausted. Bounded: the oldest entries go first when it is full.
 */
export class RateLimitGate {
  readonly #until = new Map<string, { until: number; error: RateLimitError }>();
  readonly #maxEntries: number;

  constructor(maxEntries = 10_000) {
    this.#maxEntries = maxEntries;
  }

  /** The error to answer with while `key`'s window is closed, with `Retry-After` counted down. */
  blocked(key: string, now: number): RateLimitError | undefined {
    const entry = this.#until.get(key);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.#until.delete(key);
      return undefined;
    }
    const left = Math.ceil((entry.until - now) / 1000);
    return new RateLimitError(left, entry.error.limit, 0);
  }

  /** Closes `key`'s window for the error's `retryAfter`. */
  close(key: string, error: RateLimitError, now: number): void {
    rememberNewest(this.#until, key, { until: now + error.retryAfter * 1000, error }, this.#maxEntries);
  }
}
