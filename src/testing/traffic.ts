import type { Request, Response } from 'express';
import type { EmulatedEndpoint } from './misbehaviour.js';

/** Which built-in endpoint a path is, for the latency and in-flight switches. */
export type EndpointOfPath = (path: string) => EmulatedEndpoint | undefined;

/**
 * Middleware that counts the calls of each built-in endpoint not answered yet (`inFlight`) and
 * holds each call back `latencyMs` of its endpoint, like a provider far away. Both records are
 * the emulator's own, read and set by tests while it runs.
 */
export function traffic(
  endpointOf: EndpointOfPath,
  latencyMs: Readonly<Record<EmulatedEndpoint, number>>,
  inFlight: Record<EmulatedEndpoint, number>,
) {
  return (req: Request, res: Response, next: () => void): void => {
    const endpoint = endpointOf(req.path);
    if (endpoint) {
      inFlight[endpoint] += 1;
      res.once('close', () => (inFlight[endpoint] -= 1));
    }
    const delay = endpoint ? latencyMs[endpoint] : 0;
    if (delay > 0) setTimeout(next, delay);
    else next();
  };
}
