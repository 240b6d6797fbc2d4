/**
 * A mistake in how the app wires the package, found at the first request it would break. The
 * message names the line to add or change. It is a programming error: Express's own handler
 * answers it (500) and logs it, so the developer sees it at once.
 */
export class SetupError extends Error {
  override name = 'SetupError';
  /** Node-style code, like the `TypeError`s of bad options. */
  readonly code = 'ERR_SYNERGYFLOW_SETUP';
  constructor(problem: string) {
    super(`passport-synergyflow setup: ${problem}`);
  }
}
