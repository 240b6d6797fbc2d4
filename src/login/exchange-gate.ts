/**
 * One code exchange per login at a time. A double click or a reload sends the same callback
 * twice, and both requests find the login in their copy of the session; redeeming the code twice
 * would make a provider that revokes on code reuse kill the login. The second request waits for
 * the first to finish and then answers like a replay, never redeeming again. (In-process: behind
 * a load balancer, sticky sessions keep a double click on one instance.)
 */
export class ExchangeGate {
  readonly #running = new Map<string, Promise<boolean>>();

  /** How the exchange running for `state` ended (true: logged in), or `undefined` when none runs. */
  running(state: string): Promise<boolean> | undefined {
    return this.#running.get(state);
  }

  /** Marks `state` as being exchanged; call the returned function once, with the outcome. */
  hold(state: string): (succeeded: boolean) => void {
    let settle: (succeeded: boolean) => void = () => undefined;
    this.#running.set(state, new Promise<boolean>((resolve) => (settle = resolve)));
    return (succeeded: boolean) => {
      this.#running.delete(state);
      settle(succeeded);
    };
  }
}
