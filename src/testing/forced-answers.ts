import type { Response } from 'express';
import { misbehave, type EmulatedEndpoint, type Misbehaviour } from './misbehaviour.js';

/** An endpoint whose answers a test can force: a built-in one, or an added route by its path. */
export type ForcedTarget = EmulatedEndpoint | `/${string}`;

/**
 * The emulator's switches for misbehaving on purpose: answers forced for the next calls of an
 * endpoint (`failNext`), and outages that force every answer for a while (`failFor`), on the
 * emulator's clock so that a `FakeClock` ends them.
 */
export class ForcedAnswers {
  readonly #next = new Map<string, Misbehaviour[]>();
  readonly #outages = new Map<string, { how: Misbehaviour; until: number }>();
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** Forces the next `times` answers of `endpoint`. */
  next(endpoint: ForcedTarget, how: Misbehaviour, times: number): void {
    const queue = this.#next.get(endpoint) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(how);
    this.#next.set(endpoint, queue);
  }

  /** Forces every answer of `endpoint` for the next `seconds`. */
  outage(endpoint: ForcedTarget, how: Misbehaviour, seconds: number): void {
    this.#outages.set(endpoint, { how, until: this.#clock() + seconds * 1000 });
  }

  /** Drops forced answers not yet used, and ends outages. */
  clear(): void {
    this.#next.clear();
    this.#outages.clear();
  }

  /** Answers `res` as forced, if this call of `endpoint` is; true when it was. */
  answer(endpoint: string, res: Response): boolean {
    const outage = this.#outages.get(endpoint);
    const how = this.#next.get(endpoint)?.shift() ?? (outage && outage.until > this.#clock() ? outage.how : undefined);
    if (how === undefined) return false;
    misbehave(res, how);
    return true;
  }
}
