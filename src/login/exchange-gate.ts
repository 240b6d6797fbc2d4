/** A login the first of several callbacks finished: what the others need to follow it. */
export interface FinishedLogin {
  /** The session id the login started in (the browser's cookie before the login). */
  readonly from: string;
  /** The new session id the login rotated to. */
  readonly to: string;
  /** Where the login lands. */
  readonly landing: string;
  /** SHA-256 of the code the login redeemed: only a callback with the same code follows it. */
  readonly code: string;
}

/**
 * One code exchange per login at a time. A double click or a reload sends the same callback
 * twice, and both requests find the login in their copy of the session; redeeming the code twice
 * would make a provider that revokes on code reuse kill the login. The second request waits for
 * the first to finish and then follows it. This gate is in-process; across instances,
 * `claimLogin` (login-handover.ts) does the same through the refresh lock and the session store.
 */
export class ExchangeGate {
  readonly #running = new Map<string, Promise<FinishedLogin | undefined>>();

  /**
   * How the exchange running for `state` ended (the login, or `undefined` when it failed), or
   * `undefined` when none runs.
   */
  running(state: string): Promise<FinishedLogin | undefined> | undefined {
    return this.#running.get(state);
  }

  /** Marks `state` as being exchanged; call the returned function once, with the outcome. */
  hold(state: string): (login: FinishedLogin | undefined) => void {
    let settle: (login: FinishedLogin | undefined) => void = () => undefined;
    this.#running.set(state, new Promise<FinishedLogin | undefined>((resolve) => (settle = resolve)));
    return (login: FinishedLogin | undefined) => {
      this.#running.delete(state);
      settle(login);
    };
  }
}
