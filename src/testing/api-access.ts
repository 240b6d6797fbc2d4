import type { Request, Response } from 'express';
import type { EmulatorState } from './emulator-state.js';

/** The grant behind a valid access token. */
export interface ApiGrant {
  userId: number;
  scopes: readonly string[];
}

/**
 * The gate in front of every emulated API route, as Laravel Passport runs it: a valid Bearer
 * token (401 `Unauthenticated.` otherwise), the throttle (a fixed one-minute window per token,
 * `X-RateLimit-*` on every answer, 429 with `Retry-After` past the limit), then the route's scope
 * (403 with a `WWW-Authenticate: Bearer error="insufficient_scope"` challenge).
 */
export class ApiAccess {
  readonly #state: EmulatorState;
  readonly #limit: () => number;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(state: EmulatorState, limit: () => number) {
    this.#state = state;
    this.#limit = limit;
  }

  /** The token's grant, or `undefined` once the refusal has been answered. */
  check(req: Request, res: Response, scope: string | undefined): ApiGrant | undefined {
    const header = req.get('authorization') ?? '';
    const token = /^Bearer ([\x21-\x7e]+)$/.exec(header)?.[1];
    const grant = token ? this.#state.validAccessToken(token) : undefined;
    if (!token || !grant) {
      res.status(401).json({ message: 'Unauthenticated.' });
      return undefined;
    }
    if (!this.#withinRateLimit(token, res)) return undefined;
    if (scope !== undefined && !grant.scopes.includes(scope)) {
      res.setHeader('WWW-Authenticate', `Bearer error="insufficient_scope", scope="${scope}"`);
      res.status(403).json({ message: 'Invalid scope(s) provided.' });
      return undefined;
    }
    return grant;
  }

  #withinRateLimit(token: string, res: Response): boolean {
    const now = this.#state.clock();
    const limit = this.#limit();
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
