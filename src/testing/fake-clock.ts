/**
 * A clock for tests that moves only when told to. Pass `clock.now` as the `clock` option of both
 * `synergyFlow()` and the emulator, then `clock.advance(seconds)` to make tokens expire at once
 * instead of sleeping.
 *
 * @example
 * const clock = new FakeClock();
 * const emulator = await startSynergyFlowEmulator({ clock: clock.now });
 * const auth = synergyFlow({ ..., clock: clock.now });
 * clock.advance(3600); // the access token is now expired
 */
export class FakeClock {
  #now: number;

  /** @param start where the clock starts, in milliseconds since the epoch. Default: now. */
  constructor(start = Date.now()) {
    this.#now = start;
  }

  /** The current time in milliseconds since the epoch; bound, so it can be passed around. */
  readonly now = (): number => this.#now;

  /** Moves the clock forward by `seconds`. */
  advance(seconds: number): void {
    this.#now += seconds * 1000;
  }
}
