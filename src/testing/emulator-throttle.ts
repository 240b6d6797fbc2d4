import type { Response } from 'express';

/**
 * Laravel's throttle as the emulator's API runs it: a fixed one-minute window per access token,
 * `X-RateLimit-*` headers on every answer, 429 with `Retry-After` past the limit.
 */
export class Throttle {
  readonly #windows = new Map<string, { start: number; count: number }>();
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** Counts a call of `token`; answers 429 on `res` and returns false past `limit` a minute. */
  admit(token: string, limit: number, res: Response): boolean {
    const now = this.#clock();
    let window = this.#windows.get(token);
    if (!window || now - window.start >= 60_000) {
      window = { start: now, count: 0 };
      this.#windows.set(token, window);
    }
    window.count += 1;
    const reset = window.start + 60_000;
    res.setHeader('X-RateLimit-Limit', String(limit));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, limit - window.count)));
    if (window.count <= limit) return true;
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil((reset - now) / 1000))));
    res.setHeader('X-RateLimit-Reset', String(Math.ceil(reset / 1000)));
    res.status(429).json({ message: 'Too Many Attempts.' });
    return false;
  }
}
