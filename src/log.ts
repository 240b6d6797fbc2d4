import createDebug from 'debug';

const debugBase = createDebug('passport-synergyflow');

/** A `debug` logger under the `passport-synergyflow:` namespace. Never give it a token. */
export function logger(area: string): createDebug.Debugger {
  return debugBase.extend(area);
}
